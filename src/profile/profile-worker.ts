/**
 * Worker thread of the profile (profile-all.ts): profiles some of the tables on a connection of its own while the
 * main thread profiles the others. It starts its read transaction first and says so; the main thread then checks
 * that nobody committed since the run's snapshot began, and otherwise terminates it and profiles these tables
 * itself (the results of a worker are only used after that check passed).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ColumnProfile } from "../core/column-type.js";
import { openInReadTransaction } from "../db/sqlite-source.js";
import type { SnapshotWorkerMessage } from "../db/snapshot-worker.js";
import { profileWork, type ProfileWork } from "./profile.js";

export interface ProfileWorkerInput {
  readonly path: string;
  /** Tables to profile, each with the names of the columns to profile. */
  readonly tables: readonly ProfileWork[];
}

export type ProfileWorkerMessage =
  | SnapshotWorkerMessage
  | { readonly type: "done"; readonly profiles: readonly (readonly [string, readonly (readonly [string, ColumnProfile])[]])[] };

const input = workerData as ProfileWorkerInput;
const post = (m: ProfileWorkerMessage): void => parentPort!.postMessage(m);
try {
  const db = openInReadTransaction(input.path);
  post({ type: "started" });
  const profiles = input.tables.map((w) => [w.table.name, [...profileWork(db, w)]] as const);
  db.close();
  post({ type: "done", profiles });
} catch (err) {
  post({ type: "error", message: err instanceof Error ? err.message : String(err) });
}
