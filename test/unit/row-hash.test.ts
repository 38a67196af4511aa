/**
 * The row digest and key spelling of `sync` (src/values/row-hash.ts): values that differ in what PostgreSQL
 * would hold get different digests, the same values the same one whichever way they arrived, and the key
 * spelling sorts as SQLite sorts the range key.
 */
import { describe, expect, it } from "vitest";
import { compareKeys, KeyWriter, keyOffsets, RowHash, rowKeyValues } from "../../src/values/row-hash.js";

function digest(values: readonly unknown[]): string {
  const h = new RowHash();
  h.reset();
  for (const v of values) h.value(v);
  const out = Buffer.alloc(8);
  h.finish(out, 0);
  return out.toString("hex");
}

describe("row digest", () => {
  it("tells apart the storage classes and the values a weak digest confuses", () => {
    const cases: unknown[][] = [
      [1n],
      [1],
      ["1"],
      [Buffer.from("1")],
      [null],
      [""],
      [Buffer.alloc(0)],
      [0],
      [-0],
      [9007199254740993n],
      [9007199254740992n],
      [-1n],
      [18446744073709551615n & 0x7fffffffffffffffn],
      ["a", "b"],
      ["ab", ""],
      ["", "ab"],
      ["a\u0000b"],
      ["a\u0000c"],
      [null, null],
    ];
    const seen = new Map<string, string>();
    for (const c of cases) {
      const d = digest(c);
      expect(seen.get(d), `${String(c)} collides with ${seen.get(d)}`).toBeUndefined();
      seen.set(d, String(c));
    }
  });

  it("is the same for the same row (a fresh hash state per row)", () => {
    expect(digest(["x", 2n, null, 1.5])).toBe(digest(["x", 2n, null, 1.5]));
  });

  it("a single changed character anywhere in a long text changes it", () => {
    const base = "lorem ipsum ".repeat(500);
    const d0 = digest([base]);
    for (const at of [0, 1, 2999, base.length - 1]) {
      const changed = base.slice(0, at) + (base[at] === "x" ? "y" : "x") + base.slice(at + 1);
      expect(digest([changed])).not.toBe(d0);
    }
  });

  it("text given as bytes digests as its string when the decoding is exact, else by its bytes", () => {
    const viaBytes = (b: Buffer): string => {
      const h = new RowHash();
      h.reset();
      h.textBytes(b);
      const out = Buffer.alloc(8);
      h.finish(out, 0);
      return out.toString("hex");
    };
    expect(viaBytes(Buffer.from("Zoë"))).toBe(digest(["Zoë"]));
    // Two invalid byte strings decode alike ("A\uFFFD"): their digests differ, and differ from the decoded text.
    const ff = viaBytes(Buffer.from([0x41, 0xff]));
    const fe = viaBytes(Buffer.from([0x41, 0xfe]));
    expect(ff).not.toBe(fe);
    expect(ff).not.toBe(digest(["A\uFFFD"]));
    // A real U+FFFD is also digested by its bytes: the same however it arrived at the function.
    expect(viaBytes(Buffer.from("A\uFFFD"))).not.toBe(ff);
  });
});

describe("key spelling", () => {
  const spell = (kinds: ("int" | "text")[], keys: readonly (bigint | string)[][]): { buf: Buffer; at: Uint32Array } => {
    const w = new KeyWriter();
    for (const k of keys) k.forEach((v, i) => (kinds[i] === "int" ? w.integer(v as bigint) : w.text(Buffer.from(v as string))));
    const buf = w.take();
    return { buf, at: keyOffsets(buf, kinds, keys.length) };
  };
  const sorted = (kinds: ("int" | "text")[], keys: readonly (bigint | string)[][]): void => {
    const { buf, at } = spell(kinds, keys);
    for (let i = 1; i < keys.length; i++) {
      expect(buf.compare(buf, at[i - 1], at[i], at[i], at[i + 1]), `${String(keys[i])}`).toBeGreaterThan(0);
      // The merge's comparison (in JS) orders as memcmp does, both ways.
      expect(compareKeys(buf, at[i], at[i + 1], buf, at[i - 1], at[i])).toBeGreaterThan(0);
      expect(compareKeys(buf, at[i - 1], at[i], buf, at[i], at[i + 1])).toBeLessThan(0);
    }
    expect(compareKeys(buf, at[0], at[1], buf, at[0], at[1])).toBe(0);
    keys.forEach((k, i) => expect(rowKeyValues(buf, at[i], kinds)).toEqual(k.map(String)));
  };

  it("integers sort as numbers, negative and past 2^53 included, and read back exactly", () => {
    sorted(["int"], [[-9223372036854775808n], [-9007199254740993n], [-4294967297n], [-1n], [0n], [1n], [4294967296n], [9007199254740993n], [9223372036854775807n]]);
  });

  it("text sorts byte-wise (BINARY), a prefix and an embedded NUL included", () => {
    sorted(["text"], [[""], ["a"], ["a\u0000"], ["a\u0000b"], ["a\u0001"], ["ab"], ["b"], ["Ä"], ["😀"]]);
  });

  it("composite keys sort column by column", () => {
    sorted(["int", "text"], [[1n, "b"], [1n, "ba"], [2n, ""], [2n, "a"], [10n, "a"]]);
  });
});
