/**
 * A JSON reader for the independent check (PURE): numbers stay exact decimals (JSON.parse would round
 * 12345678901234567890 and 0.1000000000000000000001 to doubles, hiding a changed digit), objects keep their last
 * value for a repeated key (what jsonb keeps: https://www.postgresql.org/docs/current/datatype-json.html), key
 * order is not part of the value (jsonb sorts keys). Grammar: RFC 8259.
 */
import { exactDecimal } from "./exact-decimal.js";

export type JsonValue = null | boolean | string | { readonly num: string } | readonly JsonValue[] | ReadonlyMap<string, JsonValue>;

class JsonSyntax extends Error {}

/** The parsed document, or undefined when the text is not JSON. */
export function parseExactJson(text: string): JsonValue | undefined {
  const p = new Reader(text);
  try {
    p.space();
    const v = p.value();
    p.space();
    if (p.pos !== text.length) throw new JsonSyntax();
    return v;
  } catch (err) {
    if (err instanceof JsonSyntax || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class Reader {
  pos = 0;
  constructor(private readonly s: string) {}

  space(): void {
    // Literal codes: this runs before the code is optimized too (a sample's documents are read once).
    const s = this.s;
    let pos = this.pos;
    for (let c = s.charCodeAt(pos); c === 32 || c === 9 || c === 10 || c === 13; c = s.charCodeAt(++pos));
    this.pos = pos;
  }

  value(): JsonValue {
    switch (this.s[this.pos]) {
      case "{":
        return this.object();
      case "[":
        return this.array();
      case '"':
        return this.string();
      case "t":
        return this.word("true", true);
      case "f":
        return this.word("false", false);
      case "n":
        return this.word("null", null);
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (m === null) throw new JsonSyntax();
    this.pos += m[0].length;
    return { num: exactDecimal(m[0])! };
  }

  word<V extends boolean | null>(word: string, v: V): V {
    if (!this.s.startsWith(word, this.pos)) throw new JsonSyntax();
    this.pos += word.length;
    return v;
  }

  string(): string {
    STRING.lastIndex = this.pos;
    const m = STRING.exec(this.s);
    if (m === null) throw new JsonSyntax();
    this.pos += m[0].length;
    // Without a backslash the text between the quotes is the string (the pattern admits no control character and
    // no bare quote); escapes are decoded by JSON.parse, which reads them as RFC 8259 says.
    const text = m[0];
    return text.includes("\\") ? (JSON.parse(text) as string) : text.slice(1, -1);
  }

  array(): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.space();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.space();
      out.push(this.value());
      this.space();
      const c = this.s[this.pos++];
      if (c === "]") return out;
      if (c !== ",") throw new JsonSyntax();
    }
  }

  object(): Map<string, JsonValue> {
    this.pos++;
    const out = new Map<string, JsonValue>();
    this.space();
    if (this.s[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.s[this.pos] !== '"') throw new JsonSyntax();
      const key = this.string();
      this.space();
      if (this.s[this.pos++] !== ":") throw new JsonSyntax();
      this.space();
      out.set(key, this.value());
      this.space();
      const c = this.s[this.pos++];
      if (c === "}") return out;
      if (c !== ",") throw new JsonSyntax();
    }
  }
}

/** Structural equality: arrays in order, objects as key sets, numbers by exact value. */
export function sameJsonValue(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJsonValue(x, (b as readonly JsonValue[])[i]));
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sameJsonValue(v, b.get(k)!)) return false;
    return true;
  }
  return (a as { num: string }).num === (b as { num: string }).num;
}
