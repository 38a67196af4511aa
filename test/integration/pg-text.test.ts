/**
 * The copy sends double precision, numeric and jsonb values spelled exactly as PostgreSQL prints them
 * (src/copy/pg-text.ts), so that verification can compare checksums of the bytes sent with the bytes read back.
 * Each expectation here is PostgreSQL's own output for the same input, asked of the real server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgFloatText, pgJsonbText, pgNumericText } from "../../src/values/pg-text.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("pgtext");
});
afterAll(async () => {
  await db?.drop();
});

/** PostgreSQL's text output of each input cast to `type`. */
async function server(inputs: readonly string[], type: string): Promise<string[]> {
  const rows = await db.query<{ out: string }>(
    `SELECT set_config('extra_float_digits', '1', true), x::${type}::text AS out FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i`,
    [inputs],
  );
  return rows.map((r) => r.out);
}

describe("pgFloatText = float8out", () => {
  const values = [
    0, -0, 1, -1, 0.1, 0.30000000000000004, 1e-4, 9.999999999999999e-5, 1e-5, 0.00012345, 123.456, 1e14, 99999999999999.9,
    999999999999999.9, 1e15, 1e21, 123456789012345680000, 1.5e300, -2.5e-300, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE,
    Math.PI * 1e17, 2 ** 53, 2 ** 63, 1 / 3,
  ];
  it("matches the server for every magnitude, sign and the special values", async () => {
    const inputs = [...values.map((v) => (Object.is(v, -0) ? "-0" : String(v))), "Infinity", "-Infinity", "NaN"];
    const ours = [...values.map(pgFloatText), pgFloatText(Infinity), pgFloatText(-Infinity), pgFloatText(NaN)];
    expect(ours).toEqual(await server(inputs, "float8"));
  });
});

describe("pgNumericText = numeric_out", () => {
  const literals = ["0", "-0", "-0.0", "1.50", "1e2", "1.23e1", "1E-3", "0e5", "-0.0e5", ".5", "5.", "+7", "00012.3400", "12345678901234567890.000001", "1e+21", "-1.5e-7"];
  it("without a declared scale keeps the literal's display scale", async () => {
    expect(literals.map((l) => pgNumericText(l))).toEqual(await server(literals, "numeric"));
  });
  it("with numeric(20,4) pads to the scale", async () => {
    const fits = ["12.3", "1e3", "-0", "0.0050", "1.23450", "-7"];
    expect(fits.map((l) => pgNumericText(l, 4))).toEqual(await server(fits, "numeric(20,4)"));
  });
  it("refuses to predict a value the declared scale would round", () => {
    expect(pgNumericText("0.005", 2)).toBeNull();
    expect(pgNumericText("1.2345", 2)).toBeNull();
    expect(pgNumericText("1.2300", 2)).toBe("1.23");
  });
  it("refuses what is not a decimal literal or has an absurd exponent", () => {
    expect(pgNumericText("abc")).toBeNull();
    expect(pgNumericText(".")).toBeNull();
    expect(pgNumericText("1e5000")).toBeNull();
  });
});

describe("pgJsonbText = jsonb_out", () => {
  const texts = [
    '{"b":1,"aa":[1,2,{"z":null,"y":"x\\u00e9\\n\\"\\\\\\/"}],"a":1.50,"c":1e2,"d":-0,"e":1E-3,"a":2, "f":0.0, "g":1.5e1, "i": 12345678901234567890}',
    '"\\u001f tab\\t"',
    "[]",
    "{}",
    "[ ]",
    "  [1 , 2 ,[ ] ,{ }]  ",
    '"\u2028 \u007f é 😀"',
    '{"é":1,"z":2,"ab":3,"\u00ff":4,"😀":5,"zz":6}',
    "true",
    "null",
    "-12.50e-1",
    '{"nested":{"k2":{"b":[true,false,null],"a":"s"},"k1":"v"}}',
    '{"dup":1,"dup":{"x":1},"dup":[3]}',
  ];
  it("matches the server: key order and duplicates, spacing, numbers, string escapes, unicode", async () => {
    for (const t of texts) expect(() => JSON.parse(t), t).not.toThrow(); // every input is valid JSON
    expect(texts.map(pgJsonbText)).toEqual(await server(texts, "jsonb"));
  });
  it("gives up (null) on a number it will not expand", () => {
    expect(pgJsonbText('{"a": 1e5000}')).toBeNull();
  });
  it("is a strict validator: null for everything JSON.parse or jsonb refuses", () => {
    const invalid = ["", " ", "{a:1}", "[1,]", '{"a":1,}', "01", "+1", ".5", "1.", "-", '"\\x"', '"a\tb"', "tru", "[1 2]", '{"a" 1}', "nul", '"abc', "[", "}"];
    for (const t of invalid) expect({ t, out: pgJsonbText(t) }).toEqual({ t, out: null });
    // valid JSON that jsonb refuses
    expect(pgJsonbText('"\\u0000"')).toBeNull();
    expect(pgJsonbText('["\\ud800"]')).toBeNull();
    expect(pgJsonbText('{"\\udc00": 1}')).toBeNull();
  });
  it("accepts whatever JSON.stringify writes, and keeps its value", () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const make = (depth: number): unknown => {
      switch (rnd(depth > 3 ? 4 : 6)) {
        case 0: return rnd(2) === 0 ? rnd(1000) - 500 : (rnd(100000) - 50000) / 64;
        case 1: return ["", "a", "é", "tab\t", 'q"', "\\", "😀", "\u001f", "\u2028"][rnd(9)];
        case 2: return [true, false, null][rnd(3)];
        case 3: return 1e300 * (rnd(3) - 1);
        case 4: return Array.from({ length: rnd(4) }, () => make(depth + 1));
        default: return Object.fromEntries(Array.from({ length: rnd(5) }, () => [["k", "kk", "a", "é", "Z", ""][rnd(6)], make(depth + 1)]));
      }
    };
    for (let i = 0; i < 500; i++) {
      const value = make(0);
      const text = JSON.stringify(value);
      const out = pgJsonbText(text);
      expect(out, text).not.toBeNull();
      expect(JSON.parse(out!)).toEqual(JSON.parse(text));
    }
  });
});
