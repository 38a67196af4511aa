/** "What changes for the app": the summary's lines and the report's Markdown section (pure). */
import type { AppChanges, AppColumn } from "../verify/behaviour/types.js";

const where = (c: AppColumn): string => `${c.model}.${c.field}${c.model === c.table && c.field === c.column ? "" : ` (${c.table}.${c.column})`}`;
const q = (v: string): string => JSON.stringify(v);

/** One entry per finding, each a sentence with its evidence and its fix; the first line of each is a heading. */
export function appChangeItems(a: AppChanges): { heading: string; lines: string[] }[] {
  const items: { heading: string; lines: string[] }[] = [];
  const o = a.ordering;
  if (!o.measured) {
    items.push({ heading: `text ordering: not measured (${o.reason})`, lines: [] });
  } else if (o.changes.length === 0) {
    items.push({ heading: `text ordering: the same as SQLite's for every sampled text column (${o.columns} sampled; the database's collation is ${o.collation})`, lines: [] });
  } else {
    items.push({
      heading: `text ordering: ORDER BY follows the database's collation ${o.collation}, not SQLite's byte order — ${o.changes.length} of ${o.columns} sampled text column(s) order differently:`,
      lines: [
        ...o.changes.map(
          (c) =>
            `${where(c)}: ${c.differing} of ${c.sampled} sampled values move${c.example ? `; SQLite: ${q(c.example[0])} before ${q(c.example[1])}, PostgreSQL: ${q(c.example[1])} first` : ""}`,
        ),
        'to keep byte order: ORDER BY … COLLATE "C" in raw SQL, or give the column COLLATE "C" in a migration (ALTER TABLE … ALTER COLUMN … TYPE text COLLATE "C")',
      ],
    });
  }
  if (a.orderedReads && a.orderedReads.length > 0) {
    const moved = a.orderedReads.filter((r) => r.firstDifference !== undefined);
    const compared = a.orderedReads.filter((r) => r.notCompared === undefined);
    const skipped = a.orderedReads.filter((r) => r.notCompared !== undefined);
    const skippedLines = skipped.map((r) => `${r.model}.${r.field}: not compared (${r.notCompared})`);
    if (moved.length === 0) {
      items.push({ heading: `ordered reads through Prisma Client: the same order on both sides for ${compared.length} model(s) (findMany orderBy an indexed text field asc, first rows)`, lines: skippedLines });
    } else {
      items.push({
        heading: `ordered reads through Prisma Client: ${moved.length} of ${compared.length} model(s) return their rows in another order on PostgreSQL (findMany orderBy an indexed text field asc):`,
        lines: [
          ...moved.map((r) => `${r.model}.${r.field}: of the first ${r.rows} rows, position ${r.firstDifference!.position + 1} holds ${r.firstDifference!.sqlite} on SQLite, ${r.firstDifference!.postgres} on PostgreSQL`),
          ...skippedLines,
          'to keep SQLite\'s order: NULLs come last for asc on PostgreSQL (orderBy: { field: { sort: "asc", nulls: "first" } }); text follows the collation (COLLATE "C" gives byte order, see text ordering)',
        ],
      });
    }
  }
  if (a.matching.length > 0) {
    items.push({
      heading: `case-sensitive matching: Prisma's contains/startsWith/endsWith (and raw LIKE) ignored ASCII case on SQLite and do not on PostgreSQL — ${a.matching.length} text field(s) hold letters:`,
      lines: [
        ...a.matching.map(
          (m) =>
            `${where(m)}: ${m.withLetters} of ${m.sampled} sampled values${m.example ? `; { contains: ${q(m.example.contains)} } found ${q(m.example.value)} on SQLite, not on PostgreSQL` : ""}`,
        ),
        'fix: add mode: "insensitive" to those filters (PostgreSQL ILIKE), e.g. { contains: "x", mode: "insensitive" }; or make the column citext (@db.Citext)',
      ],
    });
  }
  if (a.stricter.length > 0) {
    items.push({
      heading: `stricter types: ${a.stricter.length} column(s) where SQLite accepted values the PostgreSQL type now refuses on every write (raw SQL, other writers):`,
      lines: a.stricter.map((s) => `${where(s)} → ${s.pgType}: ${s.what}${s.example !== undefined ? `; e.g. ${q(s.example)}` : ""}`),
    });
  }
  return items;
}

/** The summary's section: a heading line, then each item indented. */
export function appChangesLines(a: AppChanges): string[] {
  const out = ["what changes for the app:"];
  for (const item of appChangeItems(a)) {
    out.push(`  - ${item.heading}`);
    for (const l of item.lines) out.push(`      ${l}`);
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function appChangesMarkdown(a: AppChanges): string[] {
  const out = ["## What changes for the app", ""];
  for (const item of appChangeItems(a)) {
    out.push(`- ${cell(item.heading)}`);
    for (const l of item.lines) out.push(`  - ${cell(l)}`);
  }
  out.push("");
  return out;
}
