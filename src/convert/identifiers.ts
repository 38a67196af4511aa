/**
 * PostgreSQL identifiers hold at most NAMEDATALEN-1 = 63 BYTES; longer names are silently truncated (at a
 * character boundary) wherever they appear, so two long names sharing their first 63 bytes collide
 * (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS). Prisma does not check
 * this: it writes the full name into migration.sql and PostgreSQL then truncates it or rejects the duplicate.
 * Pure.
 */
import { createHash } from "node:crypto";

/** NAMEDATALEN - 1 in a default PostgreSQL build. */
export const PG_MAX_IDENTIFIER_BYTES = 63;

const HASH_CHARS = 8;

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** The longest prefix of `s` that fits in `maxBytes` UTF-8 bytes, cut between code points (never inside one). */
export function utf8Prefix(s: string, maxBytes: number): string {
  let out = "";
  let bytes = 0;
  for (const ch of s) {
    const n = utf8Length(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

function shortHash(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex").slice(0, HASH_CHARS);
}

/**
 * A PostgreSQL-safe version of `name`, distinct from every name in `taken` (compared exactly, as PostgreSQL
 * compares quoted identifiers). The chosen name is added to `taken`.
 *
 * - a name of at most 63 bytes that is not taken is kept as is;
 * - a longer name becomes `<prefix>_<8 hex chars of sha256(full name)>`, the prefix cut at a character boundary
 *   so the result is valid UTF-8 of at most 63 bytes. The result depends only on the name, not on the order
 *   names are fitted in, so reruns produce the same schema;
 * - if that is still taken (or a short name is taken), the hash is taken over `name#2`, `name#3`, … until free.
 */
export function fitIdentifier(name: string, taken: Set<string>): { name: string; changed: boolean } {
  if (name.includes("\u0000")) throw new Error(`identifier contains a NUL character: ${JSON.stringify(name)}`);
  if (utf8Length(name) <= PG_MAX_IDENTIFIER_BYTES && !taken.has(name)) {
    taken.add(name);
    return { name, changed: false };
  }
  for (let attempt = 1; ; attempt++) {
    const hash = shortHash(attempt === 1 ? name : `${name}#${attempt}`);
    const candidate = `${utf8Prefix(name, PG_MAX_IDENTIFIER_BYTES - 1 - HASH_CHARS)}_${hash}`;
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return { name: candidate, changed: true };
    }
  }
}

/**
 * PostgreSQL names for a list of SQLite names sharing one namespace (the columns of a table, or the tables and
 * views of a schema): names of at most 63 bytes are kept; longer ones are fitted with fitIdentifier, in list
 * order, never colliding with a kept name. Deterministic for a given list.
 */
export function fitNames(names: Iterable<string>, taken: Set<string> = new Set()): Map<string, string> {
  const list = [...names];
  const result = new Map<string, string>();
  for (const n of list) {
    if (utf8Length(n) <= PG_MAX_IDENTIFIER_BYTES) {
      taken.add(n);
      result.set(n, n);
    }
  }
  for (const n of list) {
    if (!result.has(n)) result.set(n, fitIdentifier(n, taken).name);
  }
  return result;
}
