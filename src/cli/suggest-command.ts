/**
 * The command that proceeds after a failure, ready to paste: the user's own command line with the flags the
 * problems call for (src/copy/remedies.ts) put in — a single-valued flag (--orphans, --on-error,
 * --decode-fallback) replacing the user's, a `--type` replacing only an override of the same column — every other
 * argument kept as typed, each quoted for a POSIX shell, and passwords redacted.
 */
import type { FlagChange, Suggestion } from "../copy/remedies.js";
import { redact } from "../core/redact.js";

/** Characters a POSIX shell reads literally outside quotes. */
const SHELL_SAFE = /^[A-Za-z0-9_\-.,/:=@%+]+$/;

export function shellQuote(arg: string): string {
  if (SHELL_SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The column an override names (`table.column=Type` → `table.column`), as parseTypeOverrides reads it. */
const overrideKey = (value: string): string => {
  const m = /^(.+\..+?)=(.+)$/.exec(value);
  return m ? m[1] : value;
};

/** `userArgs`: the arguments after the program (process.argv.slice(2)), starting with the command. */
export function suggestedCommand(userArgs: readonly string[], changes: readonly FlagChange[]): string {
  const replaced = new Set(changes.filter((c) => c.flag !== "--type").map((c) => c.flag));
  const retyped = new Set(changes.filter((c) => c.flag === "--type").map((c) => overrideKey(c.value)));
  const kept: string[] = [];
  for (let i = 0; i < userArgs.length; i++) {
    const arg = userArgs[i];
    const m = /^(--[a-z][a-z0-9-]*)(?:=([\s\S]*))?$/.exec(arg);
    if (m && (replaced.has(m[1] as FlagChange["flag"]) || m[1] === "--type")) {
      const value = m[2] ?? userArgs[i + 1] ?? "";
      const drop = m[1] !== "--type" || retyped.has(overrideKey(value));
      if (drop) {
        if (m[2] === undefined) i++; // its value was the next argument
        continue;
      }
    }
    kept.push(arg);
  }
  const added = changes.flatMap((c) => [c.flag, c.value]);
  return redact(["npx", "sqlite2pg", ...kept, ...added].map(shellQuote).join(" "));
}

/** The lines that end a data-problems failure: the lossless command, or why there is none and the lossy ones. */
export function formatSuggestion(suggestion: Suggestion, userArgs: readonly string[]): string {
  const lines: string[] = [];
  if (suggestion.lossless !== null) {
    if (suggestion.checkText) lines.push(`note: ${suggestion.checkText}`);
    lines.push(`to keep every row: ${suggestedCommand(userArgs, suggestion.lossless)}`);
    return lines.join("\n");
  }
  lines.push(`no option keeps every row: no flag converts the values of ${suggestion.unresolved.join(", ")} exactly (fix them in SQLite).`);
  if (suggestion.lossy.length > 0) lines.push("choices that proceed, and what each loses:");
  for (const choice of suggestion.lossy) {
    lines.push(`  ${suggestedCommand(userArgs, choice.flags)}`, `    loses: ${choice.loses}`);
  }
  if (suggestion.checkText) lines.push(`note: ${suggestion.checkText}`);
  return lines.join("\n");
}

/** For `plan`: the flags alone (plan takes no --to); migrate with them. */
export function formatFlags(changes: readonly FlagChange[]): string {
  return changes.flatMap((c) => [c.flag, c.value]).map(shellQuote).join(" ");
}
