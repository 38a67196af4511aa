/**
 * From the problems found to the flags that proceed (pure, data only; `cli/` turns them into a command to
 * paste). A remedy is lossless only when the encoder tried it on every value concerned (problems.ts Remedy): then
 * the failure ends with the one command that keeps every row. Otherwise the choices that do proceed are listed
 * with what each loses.
 */
import type { ProblemGroup, Remedy } from "../core/problems.js";

/** The encoding suggested for text that is not UTF-8: WHATWG's windows-1252, a superset of Latin-1's printable
 * characters that decodes every byte (https://encoding.spec.whatwg.org/#names-and-labels: "latin1" is a label of it). */
export const SUGGESTED_FALLBACK = "windows-1252";

export interface FlagChange {
  /** A single-valued flag replaces any the user gave; "--type" replaces only an override of the same column. */
  readonly flag: "--type" | "--decode-fallback" | "--orphans" | "--on-error";
  readonly value: string;
}

export interface LossyChoice {
  readonly flags: readonly FlagChange[];
  /** What this choice loses, in words. */
  readonly loses: string;
}

export interface Suggestion {
  /** Flags that resolve every problem without losing a row, or null when there are none. */
  readonly lossless: readonly FlagChange[] | null;
  /** The columns whose problems no flag resolves (why lossless is null). */
  readonly unresolved: readonly string[];
  /** When lossless is null: the choices that proceed anyway, and what each loses. */
  readonly lossy: readonly LossyChoice[];
  /** Set when a decoding is suggested: the decoded text is a guess the user should check. */
  readonly checkText?: string;
}

export interface ProblemRowCounts {
  readonly valueRows: number;
  readonly unresolvableRows: number;
  readonly orphanRows: number;
}

const where = (g: ProblemGroup): string => (g.column === undefined ? g.table : `${g.table}.${g.column}`);
const rows = (n: number): string => `${n} ${n === 1 ? "row" : "rows"}`;

function flagsFor(g: ProblemGroup, remedy: Remedy): FlagChange {
  switch (remedy) {
    case "as-text":
      return { flag: "--type", value: `${g.table}.${g.column}=String` };
    case "decode-fallback":
      return { flag: "--decode-fallback", value: SUGGESTED_FALLBACK };
    case "keep-without-fk":
      return { flag: "--orphans", value: "keep-without-fk" };
  }
}

function unique(flags: readonly FlagChange[]): FlagChange[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const id = `${f.flag} ${f.value}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function suggestFlags(groups: readonly ProblemGroup[], counts: ProblemRowCounts): Suggestion {
  // The remedies of every group that has them; a group without one blocks the lossless choice.
  const fixing = unique(groups.flatMap((g) => (g.lossless ?? []).map((r) => flagsFor(g, r))));
  const unresolved = groups.filter((g) => g.lossless === null).map(where);
  const decodes = fixing.some((f) => f.flag === "--decode-fallback");
  const checkText = decodes
    ? `values that are not UTF-8 would be read as ${SUGGESTED_FALLBACK}: check that text in PostgreSQL (give --decode-fallback another encoding, e.g. iso-8859-2 or koi8-r, if it reads wrong)`
    : undefined;
  const base = { unresolved, ...(checkText ? { checkText } : {}) };
  if (unresolved.length === 0) return { ...base, lossless: fixing, lossy: [] };

  // Values that become equal in a unique column are not refused by the encoder: --on-error reject would copy
  // both rows and PostgreSQL would refuse the index again. Only SQLite can fix them.
  if (groups.some((g) => g.kind === "unique")) return { ...base, lossless: null, lossy: [] };
  const orphans = groups.some((g) => g.kind === "orphan");
  const valueFixes = fixing.filter((f) => f.flag !== "--orphans");
  const reject: FlagChange = { flag: "--on-error", value: "reject" };
  const lost = `${rows(counts.unresolvableRows)} left out of PostgreSQL (written in full to the rejects file)`;
  const lossy: LossyChoice[] = [];
  if (!orphans) {
    lossy.push({ flags: [...valueFixes, reject], loses: lost });
  } else {
    const references = groups.filter((g) => g.kind === "orphan").reduce((n, g) => n + g.count, 0);
    lossy.push({ flags: [...valueFixes, reject, { flag: "--orphans", value: "keep-without-fk" }], loses: `${lost}; the violated foreign keys are not created` });
    lossy.push({ flags: [...valueFixes, reject, { flag: "--orphans", value: "null" }], loses: `${lost}; ${references} orphaned references set to NULL` });
    lossy.push({ flags: [...valueFixes, reject, { flag: "--orphans", value: "delete" }], loses: `${lost}; ${rows(counts.orphanRows)} with orphaned references left out, with the rows that reference them` });
  }
  return { ...base, lossless: null, lossy };
}
