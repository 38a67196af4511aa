/**
 * Big cells: a TEXT or BLOB value of many megabytes is spelled for COPY in slices, never as one string.
 *
 * The COPY text of a 200 MB BLOB is 400 MB of hex; built as one JS string, then its UTF-8 bytes, then SQLite's
 * `lower(hex())` on the fast path, a single cell cost 3 GB of memory, and a BLOB whose hex exceeds SQLite's
 * SQLITE_MAX_LENGTH (1e9, https://sqlite.org/limits.html#max_length) or V8's longest string (2^29 − 24 characters)
 * could not be spelled at all. Here each big value is cut into slices of SLICE_BYTES and each slice is escaped
 * (or hex-encoded) on its own: the escapes of COPY's text format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2)
 * and hex digits are per byte (a backslash, tab, newline or carriage return is one ASCII byte, never part of a
 * multi-byte UTF-8 sequence), so the slices concatenated are byte for byte the field encoders' output
 * (encode.ts textEncoder, bytesEncoder). Memory is then the value as SQLite returned it plus one slice.
 */
import { isUtf8 } from "node:buffer";
import type { ValueKind } from "../core/column-type.js";

/** A cell is big above this many bytes (stored bytes of a BLOB, UTF-16 code units of a string). */
const DEFAULT_BIG_CELL_BYTES = 8 * 1024 * 1024;
/** Bytes of the value per slice (a BLOB slice becomes twice as many hex digits). */
const SLICE_BYTES = 4 * 1024 * 1024;

/**
 * The threshold; `SQLITE2PG_BIG_CELL_BYTES` lowers it so tests exercise the sliced path with cells of a few
 * hundred KB (an internal knob, not a user option). Read at each call: tests set it in-process.
 */
export function bigCellBytes(): number {
  const env = Number(process.env.SQLITE2PG_BIG_CELL_BYTES);
  return Number.isSafeInteger(env) && env > 0 ? env : DEFAULT_BIG_CELL_BYTES;
}

/** Kinds whose big values are spelled in slices. */
export function sliceableKind(kind: ValueKind): kind is "text" | "bytes" {
  return kind === "text" || kind === "bytes";
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const asBuffer = (v: Uint8Array): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));

/** Is `v` big, and does its column's encoder accept it (so that the slices spell exactly what it would)? */
export function isBigCell(kind: ValueKind, v: unknown, threshold: number): boolean {
  if (!sliceableKind(kind)) return false;
  if (typeof v === "string") return v.length > threshold && (kind === "bytes" || !v.includes("\u0000"));
  if (isBytes(v)) return v.byteLength > threshold && (kind === "bytes" || (isUtf8(v) && v.indexOf(0) === -1));
  return false;
}

/** COPY's text escapes applied to UTF-8 bytes (the caller has checked there is no NUL). */
function escapeBytes(b: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 92 || c === 9 || c === 10 || c === 13) extra++;
  }
  if (extra === 0) return b;
  const out = Buffer.allocUnsafe(b.length + extra);
  let w = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 92 || c === 9 || c === 10 || c === 13) {
      out[w++] = 92;
      out[w++] = c === 92 ? 92 : c === 9 ? 116 : c === 10 ? 110 : 114;
    } else out[w++] = c;
  }
  return out;
}

const HEX_PREFIX = Buffer.from("\\\\x", "latin1");

/**
 * The COPY field of a big cell (isBigCell was true), as successive Buffers of UTF-8 bytes. A string is cut
 * between UTF-16 code units, never inside a surrogate pair, so each slice encodes to the same bytes it has in
 * the whole string.
 */
export function* bigCellSlices(kind: "text" | "bytes", v: unknown, sliceBytes = SLICE_BYTES): Generator<Buffer> {
  if (kind === "bytes") {
    const b = typeof v === "string" ? Buffer.from(v, "utf8") : asBuffer(v as Uint8Array);
    yield HEX_PREFIX;
    for (let off = 0; off < b.length; off += sliceBytes) yield Buffer.from(b.subarray(off, off + sliceBytes).toString("hex"), "latin1");
    return;
  }
  if (isBytes(v)) {
    const b = asBuffer(v);
    for (let off = 0; off < b.length; off += sliceBytes) yield escapeBytes(b.subarray(off, off + sliceBytes));
    return;
  }
  const s = v as string;
  for (let off = 0; off < s.length; ) {
    let end = Math.min(s.length, off + sliceBytes);
    const last = s.charCodeAt(end - 1);
    // Keep a surrogate pair together: end before its high half, or after its low half when the slice is that pair.
    if (end < s.length && last >= 0xd800 && last <= 0xdbff) end = end - 1 > off ? end - 1 : end + 1;
    yield escapeBytes(Buffer.from(s.slice(off, end), "utf8"));
    off = end;
  }
}

/** One part of a row's COPY line: text (small fields, separators) or a big cell to spell in slices. */
export type LinePart = string | { readonly kind: "text" | "bytes"; readonly value: unknown };

/**
 * A row's COPY line (trailing "\n" included) as parts, when the row holds at least one big cell; null when it has
 * none. Small fields go through `encoders` (which throw ValueError as the row encoder would: the caller then takes
 * its ordinary path, which names the problem). `onBig(i)` is told of each big cell of a row that encodes.
 */
export function bigCellLine(
  row: readonly unknown[],
  kinds: readonly ValueKind[],
  encoders: readonly ((v: unknown) => string)[],
  threshold: number,
  onBig?: (columnIndex: number, value: unknown) => void,
): LinePart[] | null {
  let big = -1;
  for (let i = 0; i < kinds.length && big < 0; i++) if (isBigCell(kinds[i], row[i], threshold)) big = i;
  if (big < 0) return null;
  const parts: LinePart[] = [];
  let text = "";
  const bigOnes: number[] = [];
  for (let i = 0; i < kinds.length; i++) {
    if (i > 0) text += "\t";
    const v = row[i];
    if (v === null || v === undefined) text += "\\N";
    else if (i >= big && isBigCell(kinds[i], v, threshold)) {
      parts.push(text);
      text = "";
      parts.push({ kind: kinds[i] as "text" | "bytes", value: v });
      bigOnes.push(i);
    } else text += encoders[i](v);
  }
  parts.push(text + "\n");
  for (const i of bigOnes) onBig?.(i, row[i]);
  return parts;
}
