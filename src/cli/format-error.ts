/** How a failure is shown to the user: what happened, on which object, and how to fix it. */
import { Sqlite2pgError, describeObject } from "../errors.js";
import { redact } from "../redact.js";

export function formatError(err: unknown): string {
  if (err instanceof Sqlite2pgError) {
    const lines = [`error [${err.code}] in ${err.stage}: ${err.message}`];
    const where = describeObject(err.object);
    if (where) lines.push(`  where: ${where}`);
    if (err.hint) lines.push(`  hint:  ${err.hint}`);
    return redact(lines.join("\n"));
  }
  const e = err as Error;
  return redact(`internal error: ${e?.stack ?? String(err)}`);
}
