/**
 * Exit codes (documented in the README):
 *   0 — success, everything verified
 *   1 — the migration or verification failed (data, source, target or verification problem)
 *   2 — usage error (bad arguments, missing --to, refused confirmation)
 */
import type { ErrorKind } from "../core/errors.js";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function exitCodeFor(kind: ErrorKind): number {
  return kind === "usage" ? EXIT_USAGE : EXIT_FAILURE;
}
