/**
 * A 64-bit digest of one SQLite row, over its values as SQLite stores them, and an order-preserving byte spelling
 * of a row's key. `sync` (src/sync/source-digest.ts) computes both inside SQLite's scan, in an aggregate function,
 * so a row is read once and never spelled as text: this is the cost of every sync pass and of recording the state.
 *
 * The digest tells whether a row changed since the last run, so it must change whenever a value PostgreSQL would
 * hold changes. It is over the storage class and the exact value (https://sqlite.org/datatype3.html#storage_classes):
 * the integer 1, the real 1.0, the text '1' and the blob x'31' all differ (each value starts with its class), as
 * do NULL and '' (a tag, then a length), 0.0 and -0.0 (a real's 64 bits), and integers beyond 2^53 (all 64 bits).
 * Text is hashed as the UTF-16 code units of its decoded string; text whose decoding holds U+FFFD (invalid UTF-8
 * decodes to it, so two different invalid byte strings can decode alike) is hashed by its bytes instead
 * (`textBytes`). Blobs are hashed by their bytes.
 *
 * Two 32-bit lanes mix every 32-bit block: MurmurHash3's block step and an xxHash32 round (each one-to-one in its
 * lane's state for a given block, so a row that differs in one block always gets another digest), each finished
 * by MurmurHash3's avalanche. Not a cryptographic hash: it detects changes made by an application, not by an
 * adversary choosing colliding rows. https://github.com/aappleby/smhasher/wiki/MurmurHash3 ·
 * https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md
 */

const TAG_NULL = 0x4e;
const TAG_INT = 0x49;
const TAG_REAL = 0x52;
const TAG_TEXT = 0x54;
const TAG_TEXT_BYTES = 0x55;
const TAG_BLOB = 0x42;

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/** The running state of one row's digest. */
export class RowHash {
  private a = 0x9747b28c;
  private b = 0x165667b1;

  /** Start a new row. */
  reset(): void {
    this.a = 0x9747b28c;
    this.b = 0x165667b1;
  }

  private block(k: number): void {
    let k1 = Math.imul(k, 0xcc9e2d51);
    k1 = (k1 << 15) | (k1 >>> 17);
    this.a ^= Math.imul(k1, 0x1b873593);
    this.a = (this.a << 13) | (this.a >>> 19);
    this.a = (Math.imul(this.a, 5) + 0xe6546b64) | 0;
    const b = (this.b + Math.imul(k, 0x85ebca77)) | 0;
    this.b = Math.imul((b << 13) | (b >>> 19), 0x9e3779b1);
  }

  /** One value as better-sqlite3 returns it with safeIntegers: bigint, number, string, Buffer or null. */
  value(v: unknown): void {
    if (v === null || v === undefined) this.block(TAG_NULL);
    else if (typeof v === "bigint") this.integer(v);
    else if (typeof v === "number") {
      f64[0] = v;
      this.block(TAG_REAL);
      this.block(f64Words[0]);
      this.block(f64Words[1]);
    } else if (typeof v === "string") this.text(v);
    else this.bytes(TAG_BLOB, v as Uint8Array);
  }

  private integer(v: bigint): void {
    this.block(TAG_INT);
    const n = Number(v);
    if (Number.isSafeInteger(n)) {
      this.block(n >>> 0);
      this.block(Math.floor(n / 4294967296) | 0);
    } else {
      this.block(Number(BigInt.asUintN(32, v)));
      this.block(Number(BigInt.asUintN(32, v >> 32n)));
    }
  }

  /** Text as its code units; the caller has checked it holds no U+FFFD (`needsBytes`). */
  text(s: string): void {
    const n = s.length;
    this.block(TAG_TEXT);
    this.block(n);
    // The block step inlined: this loop is most of a sync pass's time on text-heavy tables.
    let a = this.a;
    let b = this.b;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
      let k1 = Math.imul(k, 0xcc9e2d51);
      k1 = (k1 << 15) | (k1 >>> 17);
      a ^= Math.imul(k1, 0x1b873593);
      a = (a << 13) | (a >>> 19);
      a = (Math.imul(a, 5) + 0xe6546b64) | 0;
      b = (b + Math.imul(k, 0x85ebca77)) | 0;
      b = Math.imul((b << 13) | (b >>> 19), 0x9e3779b1);
    }
    this.a = a;
    this.b = b;
    if (i < n) this.block(s.charCodeAt(i));
  }

  /**
   * Text given as its bytes: hashed as `text` hashes its decoding when that is exact (no U+FFFD), else by its
   * bytes (also when it is too long for a string: then it could not have reached `text` either). So a value gets
   * the same digest whichever way it arrived.
   */
  textBytes(bytes: Uint8Array): void {
    let s: string | null = null;
    try {
      s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    } catch {
      s = null;
    }
    if (s !== null && !needsBytes(s)) this.text(s);
    else this.bytes(TAG_TEXT_BYTES, bytes);
  }

  private bytes(tag: number, v: Uint8Array): void {
    this.block(tag);
    this.block(v.length);
    let i = 0;
    for (; i + 3 < v.length; i += 4) this.block(v[i] | (v[i + 1] << 8) | (v[i + 2] << 16) | (v[i + 3] << 24));
    let k = 0;
    for (let s = 0; i < v.length; i++, s += 8) k |= v[i] << s;
    this.block(k);
  }

  /** Finish the row: its 8 bytes at `offset` of `out`. */
  finish(out: Buffer, offset: number): void {
    out.writeInt32LE(avalanche(this.a), offset);
    out.writeInt32LE(avalanche(this.b ^ 0x27d4eb2f), offset + 4);
  }
}

function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Does a decoded text value hold U+FFFD (it may then stand for bytes that were not UTF-8)? */
export const needsBytes = (s: string): boolean => s.includes("\uFFFD");

/**
 * A key's values as bytes whose order (memcmp) is SQLite's order of the range key (keys.ts): an integer as its
 * 64 bits big-endian with the sign bit flipped; text as its bytes (BINARY collation: memcmp of UTF-8) with 0x00
 * written 0x00 0x01, ended by 0x00 0x00, so a shorter text sorts first and the spelling is self-delimiting.
 */
export class KeyWriter {
  buf = Buffer.allocUnsafe(1 << 16);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  integer(v: bigint): void {
    this.room(8);
    const n = Number(v);
    if (Number.isSafeInteger(n)) {
      this.buf.writeUInt32BE((Math.floor(n / 4294967296) ^ 0x80000000) >>> 0, this.length);
      this.buf.writeUInt32BE(n >>> 0, this.length + 4);
    } else this.buf.writeBigUInt64BE(BigInt.asUintN(64, v) ^ 0x8000000000000000n, this.length);
    this.length += 8;
  }

  text(v: Uint8Array): void {
    this.room(2 * v.length + 2);
    for (let i = 0; i < v.length; i++) {
      this.buf[this.length++] = v[i];
      if (v[i] === 0) this.buf[this.length++] = 1;
    }
    this.buf[this.length++] = 0;
    this.buf[this.length++] = 0;
  }

  /** The bytes written, copied out. */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

/** Where each key of `keys` (spelled by KeyWriter, `kinds` per column) starts; one more entry: the end. */
export function keyOffsets(keys: Buffer, kinds: readonly ("int" | "text")[], rows: number): Uint32Array {
  const out = new Uint32Array(rows + 1);
  if (kinds.every((k) => k === "int")) {
    const stride = 8 * kinds.length;
    for (let i = 0; i <= rows; i++) out[i] = i * stride;
    return out;
  }
  let at = 0;
  for (let r = 0; r < rows; r++) {
    out[r] = at;
    for (const kind of kinds) {
      if (kind === "int") at += 8;
      else {
        while (!(keys[at] === 0 && keys[at + 1] === 0)) at += keys[at] === 0 ? 2 : 1;
        at += 2;
      }
    }
  }
  out[rows] = at;
  return out;
}

/** A key spelled by KeyWriter back to its values as text (integers in decimal), the form of a range bound. */
export function rowKeyValues(keys: Buffer, start: number, kinds: readonly ("int" | "text")[]): string[] {
  const out: string[] = [];
  let at = start;
  for (const kind of kinds) {
    if (kind === "int") {
      const hi = (keys.readUInt32BE(at) ^ 0x80000000) | 0;
      out.push(Math.abs(hi) < 0x200000 ? String(hi * 4294967296 + keys.readUInt32BE(at + 4)) : BigInt.asIntN(64, keys.readBigUInt64BE(at) ^ 0x8000000000000000n).toString());
      at += 8;
    } else {
      const bytes: number[] = [];
      while (!(keys[at] === 0 && keys[at + 1] === 0)) {
        bytes.push(keys[at]);
        at += keys[at] === 0 ? 2 : 1;
      }
      at += 2;
      out.push(Buffer.from(bytes).toString("utf8"));
    }
  }
  return out;
}

/**
 * memcmp order of a[aStart, aEnd) and b[bStart, bEnd) (a shorter prefix first), in JS: keys are a few bytes, and
 * Buffer.compare's call into C++ cost more than the comparison on millions of keys.
 */
export function compareKeys(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i] - b[bStart + i];
    if (d !== 0) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}
