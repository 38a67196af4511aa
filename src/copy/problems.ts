/**
 * Data problems: values that cannot be converted exactly and rows whose foreign key points nowhere. They are
 * collected (not thrown one by one) so a single run lists every problem — every value of every row, all columns —
 * with its table, column and row key. They are shown grouped by column (a count and the first few rows), so ten
 * thousand bad values stay readable; the error's details (the JSON report) carry every one.
 */
import { Sqlite2pgError } from "../core/errors.js";
import { suggestFlags, type Suggestion } from "./remedies.js";
import { type DataProblem, ProblemCollector, formatProblemGroups, plural } from "../core/problems.js";

/** The collector behind each DATA_PROBLEMS error, so problems found later (orphans) join the same report. */
const collectors = new WeakMap<Sqlite2pgError, { readonly problems: ProblemCollector; readonly tableOrder?: readonly string[] }>();

/** The same error with more problems (e.g. the orphans, looked for once the copy stopped); hints joined. */
export function withMoreProblems(err: Sqlite2pgError, more: readonly DataProblem[], hint: string): Sqlite2pgError {
  const found = collectors.get(err);
  if (!found || more.length === 0) return err;
  for (const p of more) found.problems.add(p);
  return dataProblemsError(found.problems, `${err.hint ?? ""}; ${hint}`, found.tableOrder);
}

/**
 * The DATA_PROBLEMS error for what was collected. `tableOrder` (the plan's tables): the groups and the listed
 * problems are shown table by table in that order, whatever order the tables were read in (largest first, or
 * several at once with --jobs), so the same file always gives the same report.
 */
export function dataProblemsError(problems: ProblemCollector, hint: string, tableOrder?: readonly string[]): Sqlite2pgError {
  const rank = new Map((tableOrder ?? []).map((t, i) => [t, i]));
  const inTableOrder = <T extends { readonly table: string }>(list: readonly T[]): T[] =>
    [...list].sort((a, b) => (rank.get(a.table) ?? rank.size) - (rank.get(b.table) ?? rank.size));
  const groups = inTableOrder(problems.grouped.groups());
  const listed = inTableOrder(problems.listed);
  const counts = problems.grouped.rowCounts();
  const suggestion: Suggestion = suggestFlags(groups, counts);
  const columns = plural(groups.length, "column");
  const first = listed[0];
  const unlisted = problems.count > problems.listed.length ? ` (the first ${problems.listed.length} listed in the details)` : "";
  const err = new Sqlite2pgError(
    `${plural(problems.count, "data problem")} in ${columns}; nothing was written:\n${formatProblemGroups(groups)}`,
    {
      code: "DATA_PROBLEMS",
      kind: "data",
      stage: "copy",
      object: first ? { table: first.table, column: first.column, row: first.key } : undefined,
      hint: `${hint}${unlisted}`,
      details: { problems: listed, count: problems.count, groups, suggestion },
    },
  );
  collectors.set(err, { problems, ...(tableOrder ? { tableOrder } : {}) });
  return err;
}
