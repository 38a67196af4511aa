/**
 * The rejects file (`--on-error=reject`): one JSON object per line (https://jsonlines.org) holding the table,
 * the row key, why it was rejected, and the *full* row, so nothing is lost. Integers stay exact (as strings
 * when beyond 2^53), blobs are `{"base64": …}`, and a TEXT value whose stored bytes are not valid UTF-8 is
 * `{"$bytes": …}` (base64 of exactly those bytes; JSON strings can only hold Unicode text).
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";
import type { DataProblem } from "../core/problems.js";
import { InvalidUtf8Text } from "./text-fallback.js";

export interface RejectedRow extends DataProblem {
  readonly row: Readonly<Record<string, unknown>>;
}

function jsonValue(v: unknown): unknown {
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof InvalidUtf8Text) return { $bytes: v.bytes.toString("base64") };
  if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString("base64") };
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}

export class RejectsFile {
  /** Opened once, on the first rejected row; concurrent writers (tables copied in parallel) share it. */
  private opening?: Promise<WriteStream>;
  count = 0;
  readonly byTable = new Map<string, number>();

  constructor(readonly path: string) {}

  async write(rejected: RejectedRow): Promise<void> {
    this.opening ??= mkdir(dirname(this.path), { recursive: true }).then(() => createWriteStream(this.path, { flags: "w" }));
    const stream = await this.opening;
    const row = Object.fromEntries(Object.entries(rejected.row).map(([k, v]) => [k, jsonValue(v)]));
    const ok = stream.write(`${JSON.stringify({ ...rejected, row })}\n`);
    this.count++;
    this.byTable.set(rejected.table, (this.byTable.get(rejected.table) ?? 0) + 1);
    if (!ok) await once(stream, "drain");
  }

  async close(): Promise<void> {
    if (!this.opening) return;
    const stream = await this.opening;
    stream.end();
    await once(stream, "finish");
  }
}
