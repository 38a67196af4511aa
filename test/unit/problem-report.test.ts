/**
 * The pure parts of the problem report: grouping by column (exact counts, first examples), the flags suggested
 * from the problems (lossless or lossy, with what each loses), the command line built from the user's own, and
 * the fallback decoding of text that is not UTF-8.
 */
import { describe, expect, it } from "vitest";
import { EXAMPLES_PER_GROUP, formatProblemGroups, groupProblems, ProblemCollector, type DataProblem } from "../../src/core/problems.js";
import { dataProblemsError, withMoreProblems } from "../../src/copy/problems.js";
import { suggestFlags } from "../../src/copy/remedies.js";
import { formatSuggestion, shellQuote, suggestedCommand } from "../../src/cli/suggest-command.js";
import { decodingAdjuster, textFallback } from "../../src/copy/text-fallback.js";

const textInInt = (key: number): DataProblem => ({
  table: "notes",
  column: "sfld",
  key: String(key),
  reason: `text 'v${key}' in an integer column`,
  excerpt: `'v${key}'`,
  lossless: ["as-text"],
});
const latin1 = (table: string, column: string, key: string): DataProblem => ({
  table,
  column,
  key,
  reason: "invalid UTF-8 in text",
  excerpt: "x'4de9'",
  lossless: ["decode-fallback"],
});
const nul = (key: string): DataProblem => ({ table: "notes", column: "body", key, reason: "NUL byte in text", excerpt: "'a\\u0000b'" });
const orphan = (key: string): DataProblem => ({
  table: "child",
  column: "parent_id",
  key,
  reason: 'references a missing row of "parent"',
  excerpt: "99",
  kind: "orphan",
  lossless: ["keep-without-fk"],
});

describe("groupProblems", () => {
  it("groups ten thousand problems by column with exact counts and the first examples only", () => {
    const problems = [...Array.from({ length: 10_000 }, (_, i) => textInInt(i)), latin1("Customers", "City", "ANATR"), latin1("Customers", "City", "ANTON")];
    const grouped = groupProblems(problems);
    const groups = grouped.groups();
    expect(groups.map((g) => [`${g.table}.${g.column}`, g.count, g.rows, g.examples.length, g.lossless])).toEqual([
      ["notes.sfld", 10_000, 10_000, EXAMPLES_PER_GROUP, ["as-text"]],
      ["Customers.City", 2, 2, 2, ["decode-fallback"]],
    ]);
    expect(groups[0].examples.map((p) => p.key)).toEqual(["0", "1", "2", "3", "4"]);
    const text = formatProblemGroups(groups);
    expect(text.split("\n")).toHaveLength(1 + EXAMPLES_PER_GROUP + 1 + 1 + 2);
    expect(text).toContain("notes.sfld: 10000 values in 10000 rows");
    expect(text).toContain("    - notes.sfld [0]: text 'v0' in an integer column\n");
    expect(text).toContain("… and 9995 more in notes.sfld");
    expect(grouped.rowCounts()).toEqual({ valueRows: 10_002, unresolvableRows: 0, orphanRows: 0 });
  });

  it("counts a row once per column and once overall when several of its values are bad", () => {
    const grouped = groupProblems([latin1("t", "a", "1"), latin1("t", "b", "1"), nul("1"), latin1("t", "a", "2")]);
    expect(grouped.groups().map((g) => [g.column, g.count, g.rows, g.lossless])).toEqual([
      ["a", 2, 2, ["decode-fallback"]],
      ["b", 1, 1, ["decode-fallback"]],
      ["body", 1, 1, null],
    ]);
    // notes [1] and t [1] are different rows.
    expect(grouped.rowCounts()).toEqual({ valueRows: 3, unresolvableRows: 1, orphanRows: 0 });
  });

  it("a column is lossless only if every one of its problems is", () => {
    const g = groupProblems([textInInt(1), { ...textInInt(2), lossless: undefined }]).groups();
    expect(g[0].lossless).toBeNull();
  });
});

describe("suggestFlags", () => {
  it("text in an INTEGER column, non-UTF-8 text and orphans: one lossless set of flags", () => {
    const grouped = groupProblems([textInInt(1), latin1("Customers", "City", "A"), latin1("Orders", "ShipCity", "1"), orphan("2")]);
    const s = suggestFlags(grouped.groups(), grouped.rowCounts());
    expect(s.lossless).toEqual([
      { flag: "--type", value: "notes.sfld=String" },
      { flag: "--decode-fallback", value: "windows-1252" },
      { flag: "--orphans", value: "keep-without-fk" },
    ]);
    expect(s.lossy).toEqual([]);
    expect(s.checkText).toMatch(/windows-1252: check that text/);
  });

  it("no lossless choice: says which columns block it, lists the lossy choices with what each loses", () => {
    const grouped = groupProblems([textInInt(1), nul("7"), nul("8"), orphan("2"), orphan("3")]);
    const s = suggestFlags(grouped.groups(), grouped.rowCounts());
    expect(s.lossless).toBeNull();
    expect(s.unresolved).toEqual(["notes.body"]);
    expect(s.lossy.map((c) => [c.flags.map((f) => `${f.flag} ${f.value}`), c.loses])).toEqual([
      [["--type notes.sfld=String", "--on-error reject", "--orphans keep-without-fk"], "2 rows left out of PostgreSQL (written in full to the rejects file); the violated foreign keys are not created"],
      [["--type notes.sfld=String", "--on-error reject", "--orphans null"], "2 rows left out of PostgreSQL (written in full to the rejects file); 2 orphaned references set to NULL"],
      [["--type notes.sfld=String", "--on-error reject", "--orphans delete"], "2 rows left out of PostgreSQL (written in full to the rejects file); 2 rows with orphaned references left out, with the rows that reference them"],
    ]);
    expect(s.checkText).toBeUndefined();
  });

  it("a row whose only problem a flag resolves is not counted as lost", () => {
    // notes [1]: fixable sfld and a NUL in body → lost; notes [2]: only sfld → kept by the override.
    const grouped = groupProblems([textInInt(1), nul("1"), textInInt(2)]);
    const s = suggestFlags(grouped.groups(), grouped.rowCounts());
    expect(s.lossy).toEqual([{ flags: [{ flag: "--type", value: "notes.sfld=String" }, { flag: "--on-error", value: "reject" }], loses: "1 row left out of PostgreSQL (written in full to the rejects file)" }]);
  });
});

describe("suggestedCommand", () => {
  const args = ["migrate", "app.db", "--to", "postgresql://me:s3cret@db:5432/app?schema=x", "--out", "my prisma", "--yes", "--type", "notes.sfld=BigInt", "--type=posts.views=BigInt", "--orphans=stop", "--jobs", "2"];

  it("keeps the user's flags, replaces the ones the suggestion sets, quotes for the shell, redacts the password", () => {
    const cmd = suggestedCommand(args, [
      { flag: "--type", value: "notes.sfld=String" },
      { flag: "--orphans", value: "keep-without-fk" },
    ]);
    expect(cmd).toBe(
      "npx sqlite2pg migrate app.db --to 'postgresql://me:***@db:5432/app?schema=x' --out 'my prisma' --yes --type=posts.views=BigInt --jobs 2 --type notes.sfld=String --orphans keep-without-fk",
    );
    expect(cmd).not.toContain("s3cret");
  });

  it("quotes what a shell would expand or split", () => {
    expect(shellQuote("Order Details.Qty=String")).toBe("'Order Details.Qty=String'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("--decode-fallback")).toBe("--decode-fallback");
  });

  it("renders the lossless command last, or the lossy choices with their losses", () => {
    const grouped = groupProblems([textInInt(1)]);
    expect(formatSuggestion(suggestFlags(grouped.groups(), grouped.rowCounts()), ["migrate", "a.db", "--yes"])).toBe(
      "to keep every row: npx sqlite2pg migrate a.db --yes --type notes.sfld=String",
    );
    const stuck = groupProblems([nul("1")]);
    expect(formatSuggestion(suggestFlags(stuck.groups(), stuck.rowCounts()), ["migrate", "a.db", "--yes"]).split("\n")).toEqual([
      "no option keeps every row: no flag converts the values of notes.body exactly (fix them in SQLite).",
      "choices that proceed, and what each loses:",
      "  npx sqlite2pg migrate a.db --yes --on-error reject",
      "    loses: 1 row left out of PostgreSQL (written in full to the rejects file)",
    ]);
  });
});

describe("textFallback", () => {
  it("decodes windows-1252 (Node's full ICU); latin1 is WHATWG's label for it; a multi-byte encoding refuses invalid bytes", () => {
    const cp1252 = textFallback("windows-1252");
    expect(cp1252.encoding).toBe("windows-1252");
    expect(cp1252.decode(Buffer.from("4de97869636f2080", "hex"))).toBe("México €");
    // 0x80–0x9F are windows-1252's own characters (Node 20's TextDecoder gives C1 controls for them).
    const all = cp1252.decode(Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i)));
    expect(all).toBe("€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ");
    expect(cp1252.decode(Buffer.from([0x00, 0x41, 0x7f, 0xa0, 0xe9, 0xff]))).toBe("\u0000A\u007f\u00a0éÿ");
    expect(textFallback("latin1").encoding).toBe("windows-1252");
    expect(textFallback("shift_jis").decode(Buffer.from("82", "hex"))).toBeNull();
    expect(() => textFallback("no-such-encoding")).toThrow(RangeError);
  });

  it("decodingAdjuster replaces only text read with U+FFFD whose stored bytes are not UTF-8", () => {
    const stored = new Map<string, Buffer>([
      ["1:a", Buffer.from("4de9", "hex")],
      ["1:b", Buffer.from("efbfbd", "hex")], // a real U+FFFD: valid UTF-8, kept
    ]);
    const adjust = decodingAdjuster(textFallback("windows-1252"), (column, key) => stored.get(`${String(key[0])}:${column}`), ["a", "b", "n"], [0, 1], [3]);
    const row = ["M\uFFFD", "\uFFFD", 5n, 1n];
    expect(adjust(row)).toEqual(["Mé", "\uFFFD", 5n, 1n]);
    expect(row[0]).toBe("M\uFFFD"); // the row read is not changed in place
    const clean = ["x", "y", 1n, 2n];
    expect(adjust(clean)).toBe(clean);
  });
});

describe("the DATA_PROBLEMS report follows the plan's table order, not the order tables were read in", () => {
  const p = (table: string, column: string, key: string): DataProblem => ({ table, column, key, reason: "invalid UTF-8 in text" });
  // Read largest first (orders, then customers), or interleaved by --jobs.
  const found = [p("orders", "ship_name", "10249"), p("customers", "address", "ANATR"), p("orders", "ship_name", "10250"), p("customers", "city", "ALFKI")];

  it("groups, listed problems and the first problem named are in the given table order, each table's in the order found", () => {
    const problems = new ProblemCollector();
    for (const x of found) problems.add(x);
    const err = dataProblemsError(problems, "hint", ["customers", "orders"]);
    const details = err.details as { problems: DataProblem[]; groups: { table: string; column?: string }[] };
    expect(details.groups.map((g) => `${g.table}.${g.column}`)).toEqual(["customers.address", "customers.city", "orders.ship_name"]);
    expect(details.problems.map((x) => x.key)).toEqual(["ANATR", "ALFKI", "10249", "10250"]);
    expect(err.object).toEqual({ table: "customers", column: "address", row: "ANATR" });
    expect(err.message.indexOf("customers.address")).toBeLessThan(err.message.indexOf("orders.ship_name"));
    // The tables read in another order (each table's own problems always come in its row order): the same report.
    const again = new ProblemCollector();
    for (const x of [...found.filter((x) => x.table === "customers"), ...found.filter((x) => x.table === "orders")]) again.add(x);
    const other = dataProblemsError(again, "hint", ["customers", "orders"]);
    expect(other.message).toBe(err.message);
    expect(other.details).toEqual(err.details);
  });

  it("keeps that order when more problems join the report (the orphans)", () => {
    const problems = new ProblemCollector();
    for (const x of found) problems.add(x);
    const err = withMoreProblems(dataProblemsError(problems, "hint", ["customers", "orders"]), [{ ...p("customers", "region_id", "ANATR"), kind: "orphan" }], "orphans");
    const groups = (err.details as { groups: { table: string; column?: string }[] }).groups;
    expect(groups.map((g) => `${g.table}.${g.column}`)).toEqual(["customers.address", "customers.city", "customers.region_id", "orders.ship_name"]);
  });
});
