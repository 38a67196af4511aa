/**
 * src/copy/big-cells.ts: a big cell's slices, concatenated, are byte for byte the field encoder's output (so the
 * copy sends and verify hashes the same bytes whichever way a cell is spelled), at every slice boundary: inside
 * a surrogate pair, next to an escaped character, inside a multi-byte UTF-8 sequence of a BLOB read as text.
 */
import { describe, expect, it } from "vitest";
import { bigCellLine, bigCellSlices, isBigCell } from "../../src/copy/big-cells.js";
import { makeFieldEncoder, makeRowEncoder } from "../../src/values/encode.js";

const whole = (kind: "text" | "bytes", v: unknown): Buffer => Buffer.from(makeFieldEncoder(kind)(v), "utf8");
const sliced = (kind: "text" | "bytes", v: unknown, size: number): Buffer => Buffer.concat([...bigCellSlices(kind, v, size)]);

describe("bigCellSlices", () => {
  const text = "a\tb\\c\nd\r é€😀 中\u{10348}".repeat(50);
  const blob = Buffer.from(Array.from({ length: 997 }, (_, i) => (i * 37) & 255));
  it.each([1, 2, 3, 5, 7, 64, 1000, 100000])("spells text, BLOB-as-text and bytes exactly with %i-unit slices", (size) => {
    expect(sliced("text", text, size).equals(whole("text", text))).toBe(true);
    const utf8Blob = Buffer.from(text, "utf8");
    expect(sliced("text", utf8Blob, size).equals(whole("text", utf8Blob))).toBe(true);
    expect(sliced("bytes", blob, size).equals(whole("bytes", blob))).toBe(true);
    expect(sliced("bytes", text, size).equals(whole("bytes", text))).toBe(true);
  });

  it("leaves to the ordinary path what the encoder refuses or does not slice", () => {
    expect(isBigCell("text", "x\u0000".repeat(10), 4)).toBe(false); // NUL: the encoder names the problem
    expect(isBigCell("text", Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x43]), 4)).toBe(false); // invalid UTF-8
    expect(isBigCell("json", "[1,2,3,4,5]", 4)).toBe(false);
    expect(isBigCell("text", "abcd", 4)).toBe(false); // at the threshold: small
    expect(isBigCell("bytes", Buffer.alloc(5), 4)).toBe(true);
  });
});

describe("bigCellLine", () => {
  it("gives the row encoder's line, with each big cell as a part to slice", () => {
    const kinds = ["int", "text", "bytes", "text"] as const;
    const row = [7n, "tab\there and more", Buffer.from("0102030405", "hex"), null];
    const encoders = kinds.map((k) => makeFieldEncoder(k));
    const parts = bigCellLine(row, kinds, encoders, 8);
    expect(parts).not.toBeNull();
    const bytes = Buffer.concat(parts!.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : sliced(p.kind, p.value, 3))));
    expect(bytes.toString("utf8")).toBe(makeRowEncoder(kinds)(row));
    expect(parts!.filter((p) => typeof p !== "string")).toHaveLength(1); // the 5-byte BLOB is small
    expect(bigCellLine(row, kinds, encoders, 1000)).toBeNull();
  });
});
