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

/** The failure as JSON (for --json): code, stage, object, hint, message — redacted like everything else. */
export function errorJson(err: unknown): string {
  const e = err instanceof Sqlite2pgError
    ? { code: err.code, kind: err.kind, stage: err.stage, message: err.message, object: err.object, hint: err.hint, details: err.details?.problems ? { problems: err.details.problems } : undefined }
    : { code: "INTERNAL", message: String((err as Error)?.message ?? err) };
  return redact(JSON.stringify({ ok: false, error: e }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2));
}
