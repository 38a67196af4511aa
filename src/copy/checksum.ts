import type { Hash } from "node:crypto";

/**
 * Encode a chunk of COPY text to the UTF-8 bytes that go on the wire and feed them to the checksum: the copy
 * sends these very bytes (one encoding, not two), and verification hashes SQLite's side the same way.
 */
export function hashChunk(hash: Hash, chunk: string): Buffer {
  const bytes = Buffer.from(chunk, "utf8");
  hash.update(bytes);
  return bytes;
}
