/**
 * The embedded target: PGlite (https://pglite.dev), a real PostgreSQL compiled to WebAssembly, keeping its data
 * in a local directory. It lets a first run (and `npm run demo`) work with no server at all.
 *
 * The pipeline talks to targets through the small part of `pg.Client` it uses: `query(text, params)`,
 * `query(copyFrom(sql))` / `query(copyTo(sql))` streams (pg-copy-streams) and `end()`. This class provides that
 * subset on top of PGlite's own API. COPY FROM STDIN does not work through pglite-socket ("protocol
 * synchronization was lost"), so COPY data goes through PGlite's `/dev/blob` device instead, one bounded blob
 * at a time — still COPY text format, still inside the caller's transaction.
 */
import { Readable, Writable } from "node:stream";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { CopyStream, PgClient, QueryResultLike } from "./pg-client.js";

/** Flush COPY data to PGlite in blobs of about this size (bounded memory). */
const BLOB_BYTES = 8 * 1024 * 1024;

export const PGLITE_SCHEME = "pglite:";

export function isPgliteUrl(url: string): boolean {
  return url.startsWith(PGLITE_SCHEME);
}

/** `pglite:./dir` → "./dir" */
export function pgliteDataDir(url: string): string {
  return url.slice(PGLITE_SCHEME.length).replace(/^\/\/(?=\/)/, "") || "./sqlite2pg-data";
}

interface CopyQuery {
  readonly text: string;
}

function isCopyQuery(arg: unknown): arg is CopyQuery & (Readable | Writable) {
  return (arg instanceof Writable || arg instanceof Readable) && typeof (arg as { text?: unknown }).text === "string";
}

class PgliteClient implements PgClient {
  constructor(readonly db: PGlite) {}

  async connect(): Promise<void> {}

  query<R = any>(text: string, values?: unknown[]): Promise<QueryResultLike<R>>;
  query<T extends CopyStream>(stream: T): T extends Writable ? Writable : Readable;
  query(arg: string | CopyStream, params?: unknown[]): Promise<QueryResultLike<unknown>> | Readable | Writable {
    if (typeof arg !== "string") {
      if (!isCopyQuery(arg)) throw new Error("PGlite adapter: only COPY streams of pg-copy-streams can be submitted");
      // The pipeline reads what the stream returned: the adapter's own stream, fed to or from PGlite's /dev/blob.
      return /\bTO\s+STDOUT\s*$/i.test(arg.text) ? this.copyOut(arg.text) : this.copyIn(arg.text);
    }
    return this.run(arg, params);
  }

  private async run(text: string, params?: unknown[]): Promise<QueryResultLike<unknown>> {
    if (params && params.length > 0) {
      const r = await this.db.query(text, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    }
    // No parameters: simple protocol, which also accepts several statements (like pg's client.query(text)).
    const results = await this.db.exec(text);
    const last = results[results.length - 1];
    return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0 };
  }

  private copyIn(sql: string): Writable {
    const target = sql.replace(/FROM\s+STDIN\b/i, "FROM '/dev/blob'");
    let parts: Buffer[] = [];
    let size = 0;
    const flush = async () => {
      if (size === 0) return;
      const blob = new Blob(parts);
      parts = [];
      size = 0;
      await this.db.query(target, [], { blob });
    };
    return new Writable({
      write: (chunk: Buffer, _enc, done) => {
        parts.push(chunk);
        size += chunk.length;
        if (size < BLOB_BYTES) return done();
        flush().then(() => done(), done);
      },
      final: (done) => {
        flush().then(() => done(), done);
      },
    });
  }

  private copyOut(sql: string): Readable {
    const source = sql.replace(/TO\s+STDOUT\s*$/i, "TO '/dev/blob'");
    const db = this.db;
    return Readable.from(
      (async function* () {
        const r = await db.query(source);
        if (r.blob) yield Buffer.from(await r.blob.arrayBuffer());
      })(),
    );
  }

  async end(): Promise<void> {
    await this.db.close();
  }
}

/** The PGlite instance behind a connection of the embedded target (one instance per data directory). */
export function pgliteOf(client: PgClient): PGlite | undefined {
  return client instanceof PgliteClient ? client.db : undefined;
}

/**
 * PGlite, loaded on first use: a run into a server never needs it. Extensions a migration may create: PGlite ships
 * contrib modules as bundles loaded at start (https://pglite.dev/extensions/), so `CREATE EXTENSION citext` works
 * only when it is listed here.
 */
async function createPglite(dataDir?: string): Promise<PGlite> {
  const [{ PGlite }, { citext }] = await Promise.all([import("@electric-sql/pglite"), import("@electric-sql/pglite/contrib/citext")]);
  return PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), extensions: { citext } });
}

/** Open (creating on first use) the embedded database in `dir`. */
export async function connectPglite(dir: string): Promise<PgClient> {
  const absolute = resolve(dir);
  await mkdir(absolute, { recursive: true });
  const db = await createPglite(absolute);
  return new PgliteClient(db);
}

/** A fresh, empty embedded database in memory (nothing on disk), e.g. a shadow to replay migrations into. */
export async function openPgliteInMemory(): Promise<PgClient> {
  const db = await createPglite();
  return new PgliteClient(db);
}
