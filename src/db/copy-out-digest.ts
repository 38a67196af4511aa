/**
 * The sha256 and row count of `COPY … TO STDOUT`, read off node-postgres's socket without a Buffer or a stream
 * chunk per row.
 *
 * Why: verification prints every table back (verify/content/sent-checksums.ts). Through pg-copy-streams each row's
 * CopyData message became Buffer slices, a concatenation per socket read and a stream chunk: at blog scale 1,
 * 2.4M rows, ~2 s of the main thread and much of the garbage collection while both cores were needed by
 * PostgreSQL's backends. Here the frames are parsed in place: payloads are copied into one 1 MB block that is
 * hashed when full, and the rows are counted as messages (PostgreSQL sends exactly one CopyData per row of
 * COPY TO, https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY).
 *
 * How: a Submittable (`client.query(submittable)`, node-postgres's extension point) that, like pg-copy-streams,
 * takes the socket's "data" events from pg's protocol parser while the copy's frames arrive
 * (https://www.postgresql.org/docs/current/protocol-message-formats.html): CopyOutResponse ('H'), CopyData ('d'),
 * interspersed NoticeResponse/ParameterStatus/NotificationResponse (skipped), CopyDone ('c'). From CommandComplete,
 * an ErrorResponse or anything else on, the bytes go back to pg's parser, which settles the query as for any other
 * (handleError, handleReadyForQuery). Only for node-postgres's own Client; the caller streams otherwise.
 */
import { createHash } from "node:crypto";

const BLOCK = 1 << 20;

/** The parts of node-postgres's Connection this reads: its socket, and sending the query. */
interface PgConnection {
  readonly stream: NodeJS.EventEmitter;
  query(text: string): void;
}

export interface CopyOutDigest {
  readonly checksum: string;
  readonly rows: number;
}

/** What `client.query(…)` of node-postgres accepts besides text: an object with `submit(connection)`. */
class DigestQuery {
  readonly promise: Promise<CopyOutDigest>;
  private resolve!: (d: CopyOutDigest) => void;
  private reject!: (e: unknown) => void;
  private readonly hash = createHash("sha256");
  private readonly block = Buffer.allocUnsafe(BLOCK);
  private used = 0;
  private rows = 0;
  private failed: unknown = null;
  /** A frame's first 5 bytes (type, int32 length) as they arrive, possibly split over socket reads. */
  private readonly head = Buffer.alloc(5);
  private headBytes = 0;
  /** Bytes of the current frame's body still to come, and whether they are row data to hash. */
  private bodyLeft = 0;
  private bodyIsRow = false;
  private stream: NodeJS.EventEmitter | null = null;
  private pgListener: ((chunk: Buffer) => void) | null = null;
  private readonly onData = (chunk: Buffer): void => this.take(chunk);

  constructor(readonly text: string) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: PgConnection): void {
    const stream = connection.stream;
    const listeners = stream.listeners("data") as ((chunk: Buffer) => void)[];
    if (listeners.length !== 1) throw new Error(`copy-out digest: the socket has ${listeners.length} data listeners, expected pg's one`);
    this.stream = stream;
    this.pgListener = listeners[0];
    stream.removeListener("data", this.pgListener);
    stream.on("data", this.onData);
    connection.query(this.text);
  }

  /** Parse a socket read: row payloads into the block, frames we do not handle back to pg from their first byte. */
  private take(chunk: Buffer): void {
    let p = 0;
    const n = chunk.length;
    while (p < n) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, n - p);
        if (this.bodyIsRow) this.append(chunk, p, p + take);
        p += take;
        this.bodyLeft -= take;
        continue;
      }
      // A frame starts here (or continues its header from the last read).
      if (this.headBytes === 0) {
        const type = chunk[p];
        if (type !== 0x48 /* H */ && type !== 0x64 /* d */ && type !== 0x63 /* c */ && type !== 0x4e /* N */ && type !== 0x53 /* S */ && type !== 0x41 /* A */) {
          this.handBack(chunk, p);
          return;
        }
      }
      let type: number;
      if (this.headBytes === 0 && p + 5 <= n) {
        // The common case: the whole header in this read, read in place.
        type = chunk[p];
        this.bodyLeft = chunk.readUInt32BE(p + 1) - 4;
        p += 5;
      } else {
        const headTake = Math.min(5 - this.headBytes, n - p);
        chunk.copy(this.head, this.headBytes, p, p + headTake);
        this.headBytes += headTake;
        p += headTake;
        if (this.headBytes < 5) continue;
        this.headBytes = 0;
        type = this.head[0];
        this.bodyLeft = this.head.readUInt32BE(1) - 4;
      }
      this.bodyIsRow = type === 0x64;
      if (this.bodyIsRow) this.rows++;
      if (type === 0x63 && this.bodyLeft === 0) {
        // CopyDone: what follows (CommandComplete, ReadyForQuery) is pg's.
        this.handBack(chunk, p);
        return;
      }
    }
  }

  private append(chunk: Buffer, from: number, to: number): void {
    // Short payloads byte by byte: cheaper than a call into C++ per row.
    if (to - from <= 64 && this.used + (to - from) < BLOCK) {
      const block = this.block;
      let w = this.used;
      for (let i = from; i < to; i++) block[w++] = chunk[i];
      this.used = w;
      return;
    }
    while (from < to) {
      const take = Math.min(BLOCK - this.used, to - from);
      chunk.copy(this.block, this.used, from, from + take);
      this.used += take;
      from += take;
      if (this.used === BLOCK) {
        this.hash.update(this.block);
        this.used = 0;
      }
    }
  }

  /** Give the socket back to pg's parser, starting with these bytes. */
  private handBack(chunk: Buffer, from: number): void {
    const stream = this.stream!;
    stream.removeListener("data", this.onData);
    stream.on("data", this.pgListener!);
    if (from < chunk.length) this.pgListener!(chunk.subarray(from));
  }

  // node-postgres calls these once its parser has the rest of the exchange.
  handleCommandComplete(): void {}

  /**
   * The server's ErrorResponse (ReadyForQuery follows) or a lost connection (nothing follows): settled at once, as
   * node-postgres's own queries are; pg keeps later queries queued until its ReadyForQuery.
   */
  handleError(err: unknown): void {
    // A socket error while the frames were ours: pg gets its listener back too.
    if (this.stream !== null && this.stream.listeners("data").includes(this.onData)) {
      this.stream.removeListener("data", this.onData);
      this.stream.on("data", this.pgListener!);
    }
    if (this.failed !== null) return;
    this.failed = err;
    this.reject(err);
  }

  handleReadyForQuery(): void {
    if (this.failed !== null) return;
    this.hash.update(this.block.subarray(0, this.used));
    this.resolve({ checksum: this.hash.digest("hex"), rows: this.rows });
  }
}

/** True for node-postgres's own Client (it has the Submittable interface and a socket); false for PGlite's adapter. */
export function canDigestCopyOut(client: object): boolean {
  const connection = (client as { connection?: { stream?: unknown } }).connection;
  return typeof connection?.stream === "object" && connection.stream !== null && typeof (client as { query?: unknown }).query === "function";
}

/** sha256 (hex) of the bytes of `COPY … TO STDOUT` and the number of rows, on a node-postgres Client. */
export function digestCopyOut(client: object, sql: string): Promise<CopyOutDigest> {
  const query = new DigestQuery(sql);
  (client as { query(q: DigestQuery): unknown }).query(query);
  return query.promise;
}
