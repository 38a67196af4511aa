/**
 * What every step of `migrate` shares: the options, the target, the snapshot, the one target connection, and
 * the choices made once from the options (verification mode, orphan policy, in-place project); the target's capabilities say what it can do.
 */
import type { PgClient } from "../db/pg-client.js";
import { openTarget, type Target } from "../db/target.js";
import { quoteQualified } from "../core/quote.js";
import { PRISMA_MIGRATIONS_TABLE } from "../core/prisma-migrations.js";
import { noopListener, type EventListener } from "../core/events.js";
import { recordStages } from "../core/stage-timings.js";
import { textFallback, type TextFallback } from "../copy/text-fallback.js";
import type { TableFilter } from "../introspect/table-filter.js";
import type { OrphanPlan, OrphanPolicy } from "../profile/orphans.js";
import type { OpenedSnapshot } from "./prepare.js";
import type { NamingMode } from "../convert/naming/index.js";

export interface MigrateOptions {
  readonly sqlitePath: string;
  readonly targetUrl: string;
  readonly outDir: string;
  readonly typeOverrides?: ReadonlyMap<string, string>;
  /** `--tables` / `--exclude` globs. */
  readonly tables?: TableFilter;
  /** What to do with values that cannot be converted exactly (default "stop": nothing is written). */
  readonly onError?: "stop" | "reject";
  /** Where rejected rows go with onError "reject" (default `<outDir>/rejects.jsonl`). */
  readonly rejectsPath?: string;
  /** What to do with rows whose foreign key points nowhere (default "stop"). */
  readonly orphans?: OrphanPolicy;
  /**
   * full (default): counts + content of every row, with a sample of rows also compared independently of the
   * copy's encoder; deep: the same, the independent comparison on every row; counts: row counts only; none.
   */
  readonly verify?: "full" | "deep" | "counts" | "none";
  /** Tables copied at once over separate connections (default 1: one transaction on one connection). */
  readonly jobs?: number;
  /**
   * An existing Prisma project (`--schema`): its schema.prisma (provider sqlite) is converted instead of an
   * introspected one, and the project files in `outDir` are replaced in place once the data is committed
   * (original schema backed up, old migrations archived). See prisma-project.ts.
   */
  readonly userSchemaPath?: string;
  /** With userSchemaPath: write Prisma 7 style (datasource without url, prisma.config.ts next to the schema). */
  readonly prisma7?: boolean;
  /** `--decode-fallback`: the encoding of text whose stored bytes are not UTF-8 (e.g. "windows-1252"). */
  readonly decodeFallback?: string;
  /** Model and field names of an introspected database: Prisma's conventions (default) or the database's (`keep`). */
  readonly naming?: NamingMode;
  /**
   * `--sync-state`: record the state `sqlite2pg sync` starts from, in the schema sqlite2pg_sync after the commit
   * (one more scan of SQLite and ~40 bytes a row: +2.9 s on the 360k-row bench, 4.3 s → 7.2 s), so only when a
   * cutover with `sync` is planned. Without it, sync refuses the target.
   */
  readonly syncState?: boolean;
  readonly emit?: EventListener;
}

/** One run of `migrate`: what its steps share. */
export interface MigrateRun {
  readonly options: MigrateOptions;
  readonly emit: EventListener;
  readonly recorder: ReturnType<typeof recordStages>;
  readonly target: Target;
  readonly decodeFallback: TextFallback | undefined;
  /** "deep" is a full verification whose independent comparison reads every row. */
  readonly verifyMode: "full" | "counts" | "none";
  /** `--schema`: the project's files are replaced once PostgreSQL holds the data; until then they are staged. */
  readonly inPlace: boolean;
  readonly policy: OrphanPolicy;
  readonly started: number;
}

/** The run's settings, decided once from the options. */
export function startRun(options: MigrateOptions): MigrateRun {
  const recorder = recordStages(options.emit ?? noopListener);
  return {
    options,
    emit: recorder.emit,
    recorder,
    target: openTarget(options.targetUrl),
    decodeFallback: options.decodeFallback === undefined ? undefined : textFallback(options.decodeFallback),
    verifyMode: options.verify === "deep" ? "full" : (options.verify ?? "full"),
    inPlace: options.userSchemaPath !== undefined,
    policy: options.orphans ?? "stop",
    started: performance.now(),
  };
}

/** The run's source and target once both are open. */
export interface RunIo {
  readonly opened: OpenedSnapshot;
  readonly client: PgClient;
}

export const NO_ORPHANS: OrphanPlan = { nullify: new Map(), skip: new Map(), droppedForeignKeys: [], orphans: [], cascaded: 0, unresolvable: [] };

/**
 * After a failure past the commit: the statements that remove what the run created, so the user can start over
 * into the same database (CASCADE takes the foreign keys, indexes, owned sequences and views on these tables).
 */
export function startOver(pgSchema: string, tables: readonly { readonly pgName: string }[]): string {
  const names = [...tables.map((t) => t.pgName), PRISMA_MIGRATIONS_TABLE].map((n) => quoteQualified(pgSchema, n));
  return `To start over, remove what this run created (enum types, if any, too: see migration.sql) and run again: DROP TABLE IF EXISTS ${names.join(", ")} CASCADE;`;
}
