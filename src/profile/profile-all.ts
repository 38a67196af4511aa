/**
 * Profile the columns whose type choice depends on the data. Plain TEXT, BLOB and JSON columns map to one type
 * whatever they hold (values that do not fit are caught value by value by the copy), so their — often largest —
 * values are not read twice.
 *
 * Reading every value into JS is the profile's cost, and it sits on the critical path (convert needs every
 * table's profile). On a large database, a worker thread profiles about half the rows on a connection of its own
 * (profile-worker.ts) while this thread profiles the rest. Its results count only if its connection sees the
 * run's snapshot: SQLite cannot hand a snapshot to another connection, so once the worker has started its read
 * transaction the snapshot's monitor is asked whether anybody committed since the snapshot began
 * (snapshot.ts unchanged()); if so, or if the worker fails, this thread profiles those tables itself.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ColumnProfile } from "../core/column-type.js";
import { familyOf, type TypeFamily } from "../convert/type-map.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import { hasExtension } from "../db/sqlite-extension.js";
import { startSnapshotWorker } from "../db/snapshot-worker.js";
import type { SqliteCatalog } from "../core/catalog.js";
import { profileWork, type ProfileWork } from "./profile.js";
import type { ProfileWorkerInput, ProfileWorkerMessage } from "./profile-worker.js";

const DATA_INDEPENDENT: ReadonlySet<TypeFamily> = new Set(["text", "bytes", "json"]);

/**
 * Below this many values to read, a worker thread costs more than it saves (its start, ~0.1 s on 2 cores, against
 * half the work). Reading values into JS, that was from 500k values on; profiled inside SQLite by sqlite2pg's
 * extension (profile.ts), ~13 times as many: blog 0.15 (1.5M values) 0.11 s on one thread against 0.15–0.48 s
 * on two, scale 1 (~10M) 0.73–0.76 s against 0.53–0.60 s (docs/benchmarks.md, session 10).
 * `SQLITE2PG_PROFILE_PARALLEL_VALUES` changes it so tests exercise the worker on small files (an internal knob,
 * not a user option).
 */
function parallelValues(inSqlite: boolean): number {
  const env = Number(process.env.SQLITE2PG_PROFILE_PARALLEL_VALUES);
  if (process.env.SQLITE2PG_PROFILE_PARALLEL_VALUES && Number.isSafeInteger(env) && env >= 0) return env;
  return inSqlite ? 4_000_000 : 500_000;
}

const WORKER_URL = new URL("./profile-worker.js", import.meta.url);

/** The run's snapshot as the profile needs it to let a second connection help. */
export interface ProfileSnapshot {
  /** The SQLite file. */
  readonly path: string;
  /** No commit since the snapshot began (snapshot.ts). */
  unchanged(): boolean;
}

export interface CatalogProfile {
  readonly profiles: Map<string, ReadonlyMap<string, ColumnProfile>>;
  /** Threads that profiled (2 when the worker's results were used). */
  readonly threads: number;
}

function workOf(catalog: SqliteCatalog): ProfileWork[] {
  return catalog.tables.map((table) => ({
    table,
    columns: table.columns.filter((c) => !DATA_INDEPENDENT.has(familyOf(c.declaredType))).map((c) => c.name),
  }));
}

/** Whether profileCatalog, given a snapshot, would share the work with a worker thread (see split). */
export function profileSharesWork(db: SqliteDb, catalog: SqliteCatalog): boolean {
  return split(workOf(catalog), parallelValues(hasExtension(db)))[1].length > 0;
}

export async function profileCatalog(db: SqliteDb, catalog: SqliteCatalog, snapshot?: ProfileSnapshot): Promise<CatalogProfile> {
  const work = workOf(catalog);
  const profiles = new Map<string, ReadonlyMap<string, ColumnProfile>>();
  const local = (w: ProfileWork): void => {
    profiles.set(w.table.name, profileWork(db, w));
  };
  const [mine, theirs] = snapshot ? split(work, parallelValues(hasExtension(db))) : [work, []];
  const helper = theirs.length > 0 ? await startWorker(snapshot!, theirs) : null;
  for (const w of helper !== null ? mine : work) local(w);
  let threads = 1;
  if (helper !== null) {
    const done = await helper.done;
    if (done === null) {
      for (const w of theirs) local(w);
    } else {
      for (const [table, columns] of done) profiles.set(table, new Map(columns));
      threads = 2;
    }
  }
  // In catalog order, whoever profiled them.
  return { profiles: new Map(catalog.tables.map((t) => [t.name, profiles.get(t.name)!])), threads };
}

/** Largest first into the lighter half; nothing for the worker when the work is small or cannot be shared. */
function split(work: readonly ProfileWork[], threshold: number): [ProfileWork[], ProfileWork[]] {
  const weight = (w: ProfileWork): number => w.table.rowCount * w.columns.length;
  const total = work.reduce((sum, w) => sum + weight(w), 0);
  // Run from TypeScript sources (tests importing src/), there is no compiled worker next to this file.
  if (total < threshold || !existsSync(fileURLToPath(WORKER_URL))) return [[...work], []];
  const mine: ProfileWork[] = [];
  const theirs: ProfileWork[] = [];
  let mineWeight = 0;
  let theirWeight = 0;
  for (const w of [...work].sort((a, b) => weight(b) - weight(a))) {
    if (weight(w) === 0) mine.push(w);
    else if (theirWeight < mineWeight) {
      theirs.push(w);
      theirWeight += weight(w);
    } else {
      mine.push(w);
      mineWeight += weight(w);
    }
  }
  return [mine, theirs];
}

type Done = Extract<ProfileWorkerMessage, { type: "done" }>["profiles"];

/**
 * The kept worker, once its connection is known to see the snapshot (null if it is not kept), with its results to
 * come (null if it fails). They come wrapped in an object: an async function returning the promise itself would
 * resolve only when that promise does (a promise adopts a returned thenable), so this thread would wait for the
 * worker's whole work before starting its own, as it did for a while (blog scale 1: profile 4.2 s instead of 2.3 s).
 */
async function startWorker(snapshot: ProfileSnapshot, tables: readonly ProfileWork[]): Promise<{ readonly done: Promise<Done | null> } | null> {
  const input: ProfileWorkerInput = { path: snapshot.path, tables };
  let resolveDone!: (d: Done | null) => void;
  const done = new Promise<Done | null>((r) => (resolveDone = r));
  const worker = await startSnapshotWorker<ProfileWorkerMessage>(WORKER_URL, { workerData: input }, () => snapshot.unchanged(), {
    onMessage: (m) => {
      if (m.type === "done") resolveDone(m.profiles);
    },
    onFailure: () => resolveDone(null),
  });
  return worker === null ? null : { done };
}
