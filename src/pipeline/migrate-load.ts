/**
 * The steps of `migrate` up to the commit: the target checked and the schema prepared, the orphans (when a
 * policy needs them first), the plan (with every name and view tried on the target), the copy, and the project
 * files of `--schema` mode. Each returns data for the next; a failure is an error naming what to fix.
 */
import { join } from "node:path";
import { applyMigration } from "../apply/apply-migration.js";
import type { ApplyResult } from "../apply/apply.js";
import { citextSupport } from "../apply/extensions.js";
import { assertNamesFree, assertTargetEmpty, planLocks, type LockPlan } from "../apply/target-check.js";
import { checkViewStatements } from "../apply/validate-views.js";
import { pgNamesFor } from "../convert/pg-names.js";
import { withoutLeftOutForeignKeys } from "../convert/relations.js";
import type { ConvertResult } from "../convert/convert.js";
import { Sqlite2pgError } from "../core/errors.js";
import { timedStage } from "../core/events.js";
import { ProblemCollector, type DataProblem } from "../core/problems.js";
import { dataProblemsError, withMoreProblems } from "../copy/problems.js";
import { RejectsFile } from "../copy/rejects.js";
import { findUniqueCollisions } from "../copy/unique-collisions.js";
import { createdObjects } from "../plan/created-objects.js";
import { writePlan, type PlanResult } from "../plan/plan.js";
import { findOrphans, type OrphanPlan } from "../profile/orphans.js";
import { assertProjectWritable, installProjectFiles, type ProjectFiles } from "../prisma-project/prisma-project.js";
import { NO_ORPHANS, type MigrateRun, type RunIo } from "./migrate-run.js";
import { prepareSchema, type PreparedSource } from "./prepare.js";

const COLLISIONS_HINT =
  "these rows hold values SQLite kept apart (another storage class, another spelling of one time or number, letters citext folds alike) that are equal once converted, so PostgreSQL's unique index refuses them; nothing was committed. Make the values distinct (or delete the duplicate row) in SQLite, then run again";

const ORPHANS_HINT =
  "SQLite did not enforce these foreign keys. Fix the rows, or choose --orphans=null (clear the reference), --orphans=delete (leave the rows out) or --orphans=keep-without-fk (keep them, skip the constraint)";

/** A data-problems failure listing `list` (orphans, unique collisions) with its hint. */
function problemsError(list: readonly DataProblem[], hint: string): Sqlite2pgError {
  const problems = new ProblemCollector();
  for (const p of list) problems.add(p);
  return dataProblemsError(problems, hint);
}

/** A non-empty target is refused first (before the slow stages, before any file is written); then introspect → profile → convert. */
export async function prepareStep(run: MigrateRun, { opened, client }: RunIo): Promise<PreparedSource> {
  // The PostgreSQL names convert will give the tables (pg-names.ts: long, empty and `"` names differ).
  const pgNames = pgNamesFor([...opened.catalog.tables.map((t) => t.name), ...opened.catalog.views.map((v) => v.name)], "table");
  await assertTargetEmpty(client, run.target.pgSchema, opened.catalog.tables.map((t) => pgNames.get(t.name)?.name ?? t.name));
  // COLLATE NOCASE columns become citext only where the target can create the extension (or has it).
  const citext = await citextSupport(client, run.target.pgSchema);
  const prepared = await prepareSchema(opened, run.emit, run.options.typeOverrides, { userSchemaPath: run.options.userSchemaPath, citext, naming: run.options.naming });
  if (run.inPlace) await assertProjectWritable(run.options.outDir);
  return prepared;
}

/**
 * With the default policy the pre-check is skipped: PostgreSQL checks every foreign key when it builds it, inside
 * the same transaction, and only if that fails do we ask SQLite which rows are orphans (copyStep). The other
 * policies must know the orphans before copying.
 */
export async function orphansStep(run: MigrateRun, { opened }: RunIo, converted: ConvertResult): Promise<OrphanPlan> {
  if (run.policy === "stop") return NO_ORPHANS;
  const orphans = await timedStage(run.emit, "orphans", "checking foreign keys", async () =>
    findOrphans(opened.source, withoutLeftOutForeignKeys(opened.catalog.tables, converted.leftOutForeignKeys), run.policy),
  );
  if (orphans.unresolvable.length > 0) throw problemsError(orphans.unresolvable, ORPHANS_HINT);
  return orphans;
}

export interface Planned {
  readonly plan: PlanResult;
  /** The conversion the plan was written from (without the views the target refused). */
  readonly converted: ConvertResult;
  /** How many locks the migration takes, against the server's lock table (staged-apply.ts when one transaction cannot hold them). */
  readonly locks: LockPlan | undefined;
}

/**
 * migrations/0_init written; the names it creates checked free on the target and the locks it takes counted; every
 * view tried on the target (rolled back): one PostgreSQL refuses is left out (a decision with its SQL) and the
 * baseline written again without it — found now, on empty tables, not at post-data after the copy.
 */
export async function planStep(run: MigrateRun, { opened, client }: RunIo, prepared: PreparedSource): Promise<Planned> {
  const schema = run.target.pgSchema;
  const planFor = (p: PreparedSource) =>
    timedStage(run.emit, "plan", "prisma migrate diff", () =>
      writePlan({
        outDir: run.inPlace ? join(opened.snapshot.dir, "project") : run.options.outDir,
        schema: p.converted.schema,
        pgSchema: schema,
        extrasSql: p.extrasSql,
      }),
    );
  let plan = await planFor(prepared);
  let converted = prepared.converted;
  // Indexes, sequences and enum types share names with what the target may hold already: refused now,
  // not when the index or the final move meets them after the copy.
  const objects = createdObjects(plan.migrationSql);
  await assertNamesFree(client, schema, objects);
  const locks = run.target.can.lockTable ? await planLocks(client, schema, objects, converted.tables.length) : undefined;
  if (prepared.viewStatements.length > 0) {
    const { refused, columns } = await timedStage(run.emit, "plan", "creating every view on the target, rolled back", () =>
      checkViewStatements(client, schema, plan, prepared.viewStatements),
    );
    const byView = new Map(prepared.viewStatements.filter((v) => refused.has(v.sql.trim())).map((v) => [v.view, refused.get(v.sql.trim())!]));
    for (const [view, error] of byView) run.emit({ type: "warning", message: `${view}: view left out, PostgreSQL refused it: ${error}` });
    // Written again: without the refused views, with a Prisma view block for each created one (typed by PostgreSQL).
    const again = prepared.withoutViews(byView, columns);
    converted = again.converted;
    plan = await planFor(again);
  }
  return { plan, converted, locks };
}

/** The copy, its failures explained: the orphans or unique collisions behind a constraint PostgreSQL could not build. */
export async function copyStep(
  run: MigrateRun,
  { opened, client }: RunIo,
  { plan, converted, locks }: Planned,
  orphans: OrphanPlan,
  onRowsSent?: () => void,
): Promise<ApplyResult & { readonly rejects?: RejectsFile }> {
  const { options, policy } = run;
  const source = opened.source;
  const tablesByName = new Map(opened.catalog.tables.map((t) => [t.name, t]));
  const rejects = options.onError === "reject" ? new RejectsFile(options.rejectsPath ?? join(options.outDir, "rejects.jsonl")) : undefined;
  const applied = await applyMigration({
    jobs: options.jobs ?? 1,
    locks,
    // Only the full verification compares the checksums of the data sent (sent-checksums.ts).
    hashSent: run.verifyMode === "full",
    // One connection only (the embedded target): the one-transaction path.
    connect: run.target.can.separateConnections ? () => run.target.connect("apply") : undefined,
    client,
    source,
    pgSchema: run.target.pgSchema,
    plan,
    tables: converted.tables,
    catalog: tablesByName,
    onError: options.onError ?? "stop",
    rejects,
    orphans,
    decodeFallback: run.decodeFallback,
    emit: run.emit,
    ...(onRowsSent ? { onRowsSent } : {}),
  })
    .catch((err: unknown) => {
      // Stopped on values: the orphans PostgreSQL would refuse next belong to the same list (every problem at once).
      if (policy === "stop" && err instanceof Sqlite2pgError && err.code === "DATA_PROBLEMS") {
        throw withMoreProblems(err, findOrphans(source, opened.catalog.tables, "stop").orphans, ORPHANS_HINT);
      }
      // A foreign key PostgreSQL could not build (23503): the transaction is rolled back; name the orphans.
      if (policy === "stop" && err instanceof Sqlite2pgError && err.code === "PG_23503") {
        const found = findOrphans(source, withoutLeftOutForeignKeys(opened.catalog.tables, converted.leftOutForeignKeys), "stop").orphans;
        if (found.length > 0) throw problemsError(found, ORPHANS_HINT);
      }
      // A unique index PostgreSQL could not build (23505): values SQLite kept apart became one in conversion.
      if (err instanceof Sqlite2pgError && err.code === "PG_23505") {
        const collisions = converted.tables.flatMap((t) => findUniqueCollisions(source, tablesByName.get(t.name)!, t));
        if (collisions.length > 0) throw problemsError(collisions, COLLISIONS_HINT);
      }
      throw err;
    })
    .finally(() => rejects?.close());
  return { ...applied, ...(rejects ? { rejects } : {}) };
}

/** `--schema` mode: the project's files replaced in place, now that PostgreSQL holds the data. */
export async function projectStep(run: MigrateRun, { opened }: RunIo): Promise<ProjectFiles | undefined> {
  if (!run.inPlace) return undefined;
  const { outDir, userSchemaPath, prisma7 } = run.options;
  return timedStage(run.emit, "plan", `writing the project files in ${outDir}`, () =>
    installProjectFiles({ stagedDir: join(opened.snapshot.dir, "project"), outDir, userSchemaPath: userSchemaPath!, prisma7 }),
  ).catch((cause: unknown) => {
    throw new Sqlite2pgError(`PostgreSQL is migrated, but the project files could not be written to ${outDir}: ${(cause as Error).message}`, {
      code: "PROJECT_FILES",
      kind: "target",
      stage: "plan",
      cause,
      hint: "fix the folder, then `sqlite2pg plan` writes the same schema and baseline (the checksum recorded in _prisma_migrations must match)",
    });
  });
}
