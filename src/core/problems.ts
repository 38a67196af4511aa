/**
 * Data problems (a value PostgreSQL cannot take exactly, named by table, column and row key), grouped by column and
 * reason for the summary. Shared by profile, copy, verify and the CLI. Plain data.
 */

/**
 * A flag that makes the value land exactly, found by trying it on the value itself (not guessed from the reason):
 * "as-text": the column's type overridden to String (`--type t.c=String`) spells it exactly;
 * "decode-fallback": its bytes are not UTF-8 and decode as windows-1252 (`--decode-fallback windows-1252`);
 * "keep-without-fk": an orphaned reference kept as is, the constraint not created (`--orphans keep-without-fk`).
 */
export type Remedy = "as-text" | "decode-fallback" | "keep-without-fk";

export interface DataProblem {
  readonly table: string;
  readonly column?: string;
  /** Primary-key value(s), or `rowid N` for tables without one. */
  readonly key: string;
  readonly reason: string;
  readonly excerpt?: string;
  /** "value" (default): a value that cannot be converted; "orphan": a reference to a missing parent row; "unique": values equal once converted in a unique column (unique-collisions.ts). */
  readonly kind?: "value" | "orphan" | "unique";
  /** Every remedy this problem needs together to land without losing its row; absent: none does. */
  readonly lossless?: readonly Remedy[];
}

/** One column's problems (orphans: one foreign key's), as shown to the user. */
export interface ProblemGroup {
  readonly table: string;
  readonly column?: string;
  readonly kind: "value" | "orphan" | "unique";
  readonly count: number;
  /** Distinct rows concerned. */
  readonly rows: number;
  /** The first problems found, in order. */
  readonly examples: readonly DataProblem[];
  /** The remedies that together resolve every problem of the group, or null when some problem has none. */
  readonly lossless: readonly Remedy[] | null;
}

/** Examples shown per column. */
export const EXAMPLES_PER_GROUP = 5;

/** Groups problems by table and column, exactly, however many there are (pure: only counts and sets). */
export class ProblemGroups {
  private readonly byColumn = new Map<string, GroupState>();
  /** Rows with a value problem, and those of them with a problem no flag resolves. */
  private readonly valueRows = new Set<string>();
  private readonly unresolvableRows = new Set<string>();
  private readonly orphanRows = new Set<string>();

  add(p: DataProblem): void {
    const kind = p.kind ?? "value";
    const id = `${kind}\u0000${p.table}\u0000${p.column ?? ""}`;
    let g = this.byColumn.get(id);
    if (!g) {
      g = { table: p.table, column: p.column, kind, count: 0, rows: new Set(), examples: [], lossless: new Set() };
      this.byColumn.set(id, g);
    }
    g.count++;
    g.rows.add(p.key);
    if (g.examples.length < EXAMPLES_PER_GROUP) g.examples.push(p);
    if (p.lossless === undefined || p.lossless.length === 0) g.lossless = null;
    else if (g.lossless) for (const r of p.lossless) g.lossless.add(r);
    const row = `${p.table}\u0000${p.key}`;
    if (kind === "orphan") this.orphanRows.add(row);
    else {
      this.valueRows.add(row);
      if (p.lossless === undefined || p.lossless.length === 0) this.unresolvableRows.add(row);
    }
  }

  groups(): ProblemGroup[] {
    return [...this.byColumn.values()].map((g) => ({
      table: g.table,
      ...(g.column === undefined ? {} : { column: g.column }),
      kind: g.kind,
      count: g.count,
      rows: g.rows.size,
      examples: g.examples,
      lossless: g.lossless === null ? null : [...g.lossless].sort(),
    }));
  }

  /** Distinct rows with a value problem; with one no flag resolves; with an orphaned reference. */
  rowCounts(): { readonly valueRows: number; readonly unresolvableRows: number; readonly orphanRows: number } {
    return { valueRows: this.valueRows.size, unresolvableRows: this.unresolvableRows.size, orphanRows: this.orphanRows.size };
  }
}

/** Group a list of problems (pure). */
export function groupProblems(problems: readonly DataProblem[]): ProblemGroups {
  const groups = new ProblemGroups();
  for (const p of problems) groups.add(p);
  return groups;
}

export class ProblemCollector {
  readonly listed: DataProblem[] = [];
  readonly grouped = new ProblemGroups();
  count = 0;

  add(problem: DataProblem): void {
    this.count++;
    this.grouped.add(problem);
    if (this.listed.length < MAX_LISTED) this.listed.push(problem);
  }
}

export function describeProblem(p: DataProblem): string {
  const where = p.column === undefined ? p.table : `${p.table}.${p.column}`;
  return `${where} [${p.key}]: ${describeValue(p)}`;
}

/** The grouped listing: per column its count, rows and first examples (row key, reason, value). */
export function formatProblemGroups(groups: readonly ProblemGroup[]): string {
  const lines: string[] = [];
  for (const g of groups) {
    const where = g.column === undefined ? g.table : `${g.table}.${g.column}`;
    const what = g.kind === "orphan" ? plural(g.count, "orphaned reference") : plural(g.count, "value");
    lines.push(`  ${where}: ${what} in ${plural(g.rows, "row")}`);
    for (const p of g.examples) lines.push(`    - ${describeProblem(p)}`);
    if (g.count > g.examples.length) lines.push(`    … and ${g.count - g.examples.length} more in ${where}`);
  }
  return lines.join("\n");
}

/**
 * Problems kept in full for the JSON report. Counts and groups stay exact past it; the cap only bounds memory on
 * a file where every value of a huge table is bad (100 000 problems are a few tens of MB).
 */
export const MAX_LISTED = 100_000;

export interface GroupState {
  table: string;
  column?: string;
  kind: "value" | "orphan" | "unique";
  count: number;
  rows: Set<string>;
  examples: DataProblem[];
  lossless: Set<Remedy> | null;
}

/** The reason and the value; reasons that quote the value already ("text 'abc' in an integer column") only once. */
export function describeValue(p: DataProblem): string {
  // A very short excerpt (a digit) could appear in a reason by chance, so it is always shown.
  const quoted = p.excerpt !== undefined && p.excerpt.length >= 4 && p.reason.includes(p.excerpt);
  const value = p.excerpt !== undefined && !quoted ? ` (value: ${p.excerpt})` : "";
  return `${p.reason}${value}`;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
