/**
 * The connection every stage talks to PostgreSQL through: the subset of node-postgres's `pg.Client` the pipeline
 * uses, as a structural interface, so both `pg.Client` (pg-target.ts) and the embedded PGlite adapter
 * (pglite-target.ts) satisfy it without casts.
 */
import type { Readable, Writable } from "node:stream";

export interface QueryResultLike<R> {
  readonly rows: R[];
  readonly rowCount: number | null;
}

/** A COPY stream of pg-copy-streams (`from(sql)` / `to(sql)`): submitted through `query`, which returns it. */
export type CopyStream = (Readable | Writable) & { readonly text?: string; submit(connection: never): void };

export interface PgClient {
  /** Text (simple protocol without values: several statements allowed) or a parameterized statement. */
  query<R = any>(text: string, values?: unknown[]): Promise<QueryResultLike<R>>;
  /** A COPY stream: a stream to pipe into (COPY FROM STDIN) or from (COPY TO STDOUT). */
  query<T extends CopyStream>(stream: T): T extends Writable ? Writable : Readable;
  end(): Promise<void>;
}
