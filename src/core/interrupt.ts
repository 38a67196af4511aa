/**
 * What an interrupt (SIGINT, SIGTERM) must undo and say. Stages register their cleanups here (the snapshot's
 * work directory) and mark the moment the target's data is committed; the CLI's signal handler (cli/main.ts)
 * runs the cleanups and tells the user whether anything was committed. Uncommitted work needs no cleanup on the
 * server: when the process exits its connections close and PostgreSQL rolls their transactions back.
 */
type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
let committed: string | undefined;
let interrupting = false;

/** Run `fn` if the process is interrupted before the returned function is called. */
export function onInterrupt(fn: Cleanup): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** The target holds the run's data from now on (`what` says what, for the interrupt message). */
export function markCommitted(what: string): void {
  committed = what;
}

/** What an interrupt leaves behind, in one sentence. */
export function interruptState(): string {
  return committed === undefined
    ? "nothing was committed: the target is as it was"
    : `${committed} was already committed; the checks after it did not finish: run \`sqlite2pg verify\` to re-check`;
}

/**
 * An interrupt is being handled: work still under way must not start anything a cleanup would have to undo (the
 * cleanups registered from now on are never run). Checked in the same synchronous step that starts such work.
 */
export function isInterrupting(): boolean {
  return interrupting;
}

/** Run every registered cleanup, each at most `ms` milliseconds. */
export async function runInterruptCleanups(ms = 5000): Promise<void> {
  interrupting = true;
  const pending = [...cleanups];
  cleanups.clear();
  await Promise.all(pending.map((fn) => Promise.race([Promise.resolve().then(fn).catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())])));
}
