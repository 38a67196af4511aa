/** How a failure is shown to the user: what happened, on which object, and how to fix it. */
import { Sqlite2pgError, describeObject } from "../core/errors.js";
import { redact } from "../core/redact.js";
import type { Suggestion } from "../copy/remedies.js";
import { formatSuggestion, suggestedCommand } from "./suggest-command.js";

/** The flags a data-problems failure suggests (src/copy/remedies.ts), if any. */
function suggestionOf(err: Sqlite2pgError): Suggestion | undefined {
  return err.code === "DATA_PROBLEMS" ? (err.details?.suggestion as Suggestion | undefined) : undefined;
}

/** `userArgs` (the command line after the program): a data-problems failure ends with the command that proceeds. */
export function formatError(err: unknown, userArgs?: readonly string[]): string {
  if (err instanceof Sqlite2pgError) {
    const lines = [`error [${err.code}] in ${err.stage}: ${err.message}`];
    const where = describeObject(err.object);
    if (where) lines.push(`  where: ${where}`);
    if (err.hint) lines.push(`  hint:  ${err.hint}`);
    const suggestion = suggestionOf(err);
    if (suggestion && userArgs) lines.push(formatSuggestion(suggestion, userArgs));
    return redact(lines.join("\n"));
  }
  const e = err as Error;
  return redact(`internal error: ${e?.stack ?? String(err)}`);
}

/**
 * The failure as JSON (for --json and --report): code, stage, object, hint, message — redacted like everything
 * else. Data problems carry every problem, their count, the groups by column and the suggestion, with the
 * suggested commands spelled out when `userArgs` is given.
 */
export function errorJson(err: unknown, userArgs?: readonly string[]): string {
  const suggestion = err instanceof Sqlite2pgError ? suggestionOf(err) : undefined;
  const commands =
    suggestion && userArgs
      ? {
          ...(suggestion.lossless ? { lossless: suggestedCommand(userArgs, suggestion.lossless) } : {}),
          lossy: suggestion.lossy.map((c) => ({ command: suggestedCommand(userArgs, c.flags), loses: c.loses })),
        }
      : undefined;
  const details = err instanceof Sqlite2pgError && err.details?.problems
    ? {
        problems: err.details.problems,
        ...(err.details.count === undefined ? {} : { count: err.details.count, groups: err.details.groups, suggestion: err.details.suggestion }),
        ...(commands ? { commands } : {}),
      }
    : // A sync refusal's data (the tables and keys PostgreSQL changed, the SQLite schema's differences).
      err instanceof Sqlite2pgError && err.details?.sync
      ? (err.details.sync as Record<string, unknown>)
      : undefined;
  const e = err instanceof Sqlite2pgError
    ? { code: err.code, kind: err.kind, stage: err.stage, message: err.message, object: err.object, hint: err.hint, details }
    : { code: "INTERNAL", message: String((err as Error)?.message ?? err) };
  return redact(JSON.stringify({ ok: false, error: e }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2));
}
