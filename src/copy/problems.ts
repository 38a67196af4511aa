/**
 * Data problems: values that cannot be converted exactly and rows whose foreign key points nowhere. They are
 * collected (not thrown one by one) so a single run lists every problem with its table, column and row key.
 */
import { Sqlite2pgError } from "../errors.js";

export interface DataProblem {
  readonly table: string;
  readonly column?: string;
  /** Primary-key value(s), or `rowid N` for tables without one. */
  readonly key: string;
  readonly reason: string;
  readonly excerpt?: string;
}

/** How many problems are listed in full; the rest are counted. */
const MAX_LISTED = 200;

export class ProblemCollector {
  readonly listed: DataProblem[] = [];
  count = 0;

  add(problem: DataProblem): void {
    this.count++;
    if (this.listed.length < MAX_LISTED) this.listed.push(problem);
  }
}

export function describeProblem(p: DataProblem): string {
  const where = p.column === undefined ? p.table : `${p.table}.${p.column}`;
  // Reasons that quote the value already ("text 'abc' in an integer column") are not followed by it again; a
  // very short excerpt (a digit) could appear in a reason by chance, so it is always shown.
  const quoted = p.excerpt !== undefined && p.excerpt.length >= 4 && p.reason.includes(p.excerpt);
  const value = p.excerpt !== undefined && !quoted ? ` (value: ${p.excerpt})` : "";
  return `${where} [${p.key}]: ${p.reason}${value}`;
}

export function dataProblemsError(problems: ProblemCollector, hint: string): Sqlite2pgError {
  const lines = problems.listed.map((p) => `  - ${describeProblem(p)}`);
  if (problems.count > problems.listed.length) lines.push(`  … and ${problems.count - problems.listed.length} more`);
  const first = problems.listed[0];
  return new Sqlite2pgError(`${problems.count} data problem(s) found; nothing was written:\n${lines.join("\n")}`, {
    code: "DATA_PROBLEMS",
    kind: "data",
    stage: "copy",
    object: first ? { table: first.table, column: first.column, row: first.key } : undefined,
    hint,
    details: { problems: problems.listed, count: problems.count },
  });
}
