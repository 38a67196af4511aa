/**
 * The run's summary, and the verdict on its verification as data: a failed check is the summary's `failure`
 * (with `ok: false`), never an exception, so the report is always written; cli/ turns it into exit code 1.
 */
import type { ApplyResult } from "../apply/apply.js";
import type { ObjectRef } from "../core/errors.js";
import { decodedDecisions } from "../copy/text-fallback.js";
import type { RejectsFile } from "../copy/rejects.js";
import type { OrphanPlan } from "../profile/orphans.js";
import type { ProjectFiles } from "../prisma-project/prisma-project.js";
import type { MigrateSummary, VerificationFailure } from "../report/summary-types.js";
import { coverageName } from "../verify/coverage.js";
import { describeIndependent, formatIndependentDifferences } from "../verify/independent/independent-check.js";
import { describeReadBack, formatReadBackDifferences } from "../verify/readback/format.js";
import type { Planned } from "./migrate-load.js";
import { startOver, type MigrateRun } from "./migrate-run.js";
import type { Verification } from "./migrate-verify.js";
import type { PreparedSource } from "./prepare.js";
import { formatVerifyResult } from "./verify.js";

export interface SummaryInput {
  readonly prepared: PreparedSource;
  readonly planned: Planned;
  readonly applied: ApplyResult & { readonly rejects?: RejectsFile };
  readonly orphans: OrphanPlan;
  readonly project: ProjectFiles | undefined;
  readonly verification: Verification;
}

export function summarize(run: MigrateRun, input: SummaryInput): MigrateSummary {
  const { planned, applied, orphans, project, verification: v } = input;
  const { plan, converted } = planned;
  const base = {
    source: run.options.sqlitePath,
    target: run.target.redacted,
    pgSchema: run.target.pgSchema,
    ...(run.target.embedded ? { embedded: run.target.embedded } : {}),
    schemaPath: project?.schemaPath ?? plan.schemaPath,
    migrationPath: project?.migrationPath ?? plan.migrationPath,
    checksum: plan.checksum,
    tables: applied.copied.map(({ table, rows, rejected, skipped, ms }) => ({ table, rows, rejected, skipped, ms })),
    // The schema's decisions, then those the copy made value by value (counted while copying).
    decisions: [...converted.decisions, ...applied.copied.flatMap((t) => t.decisions), ...decodedDecisions(applied.copied, run.decodeFallback)],
    counts: v.counts,
    coverage: v.coverage,
    verified: run.verifyMode,
    ...(v.drift ? { drift: v.drift } : {}),
    ...(v.readBack ? { readBack: v.readBack } : {}),
    appChanges: v.appChanges,
    ...(v.content?.independent ? { independent: v.content.independent } : {}),
    content: (v.content?.tables ?? []).map((t) => ({
      table: t.table,
      ok: t.ok,
      method: t.method,
      sourceChecksum: t.sourceChecksum,
      targetChecksum: t.targetChecksum,
      differences: t.differenceCount,
    })),
    ...(applied.rejects ? { rejects: { path: applied.rejects.path, count: applied.rejects.count } } : {}),
    orphans: { policy: run.policy, found: orphans.orphans.length, cascaded: orphans.cascaded, droppedForeignKeys: orphans.droppedForeignKeys.length },
    timings: { ...applied.timings, totalMs: performance.now() - run.started },
    stages: run.recorder.stages(),
    ...(project ? { project: { ...project, schemaCheck: input.prepared.schemaCheck?.result ?? "identical" } } : {}),
  };
  const failure = verificationFailure(v, startOver(run.target.pgSchema, converted.tables));
  const ok = v.coverage.ok && v.counts.every((c) => c.ok) && (v.content?.ok ?? true) && v.readBack?.status !== "different" && failure === undefined;
  return { ...base, ok, ...(failure ? { failure } : {}) };
}

function fail(code: string, message: string, object: ObjectRef, hint: string): VerificationFailure {
  return { code, message, object, hint };
}

/** The first check that failed, in the order the checks are trusted: coverage, counts, content, independent, read-back. */
export function verificationFailure(v: Verification, restart: string): VerificationFailure | undefined {
  const { coverage, counts, content, readBack } = v;
  if (!coverage.ok) {
    return fail(
      "VERIFY_COVERAGE",
      `data of the SQLite file is not in PostgreSQL:\n${coverage.missing.map((m) => `  - ${coverageName(m)}: ${m.why}`).join("\n")}`,
      { table: coverage.missing[0].table, column: coverage.missing[0].column },
      `the data is committed but incomplete; please report this. ${restart}`,
    );
  }
  const bad = counts.filter((c) => !c.ok);
  if (bad.length > 0) {
    return fail(
      "VERIFY_COUNTS",
      `row counts differ: ${bad.map((c) => `${c.table} (SQLite ${c.sourceRows}, PostgreSQL ${c.targetRows})`).join("; ")}`,
      { table: bad[0].table },
      `the data is committed. ${restart}`,
    );
  }
  const differing = content?.tables.filter((t) => !t.ok) ?? [];
  if (differing.length > 0) {
    return fail(
      "VERIFY_CONTENT",
      `the copy differs from the source:\n${formatVerifyResult({ ok: false, tables: differing })}`,
      { table: differing[0].table, row: differing[0].differences[0]?.key },
      `please report this: the committed data differs from SQLite; \`sqlite2pg verify\` re-checks it. ${restart}`,
    );
  }
  const independent = content?.independent;
  if (independent && !independent.ok) {
    const first = independent.differences[0];
    return fail(
      "VERIFY_INDEPENDENT",
      `the copy differs from the source (${describeIndependent(independent)}):\n${formatIndependentDifferences(independent)}`,
      { table: first?.table, row: first?.key, column: first?.column },
      `please report this: PostgreSQL's values, read back through pg's own parsers, mean something else than SQLite's; the checksums could not see it because they share the copy's encoder. ${restart}`,
    );
  }
  if (readBack?.status === "different") {
    const first = readBack.models.find((m) => m.status === "failed" || m.differences.length > 0)!;
    return fail(
      "VERIFY_READBACK",
      `the application would read different data through Prisma Client: ${describeReadBack(readBack)}\n${formatReadBackDifferences(readBack)}`,
      { table: first.model, row: first.differences[0]?.key, column: first.differences[0]?.field },
      `the data is committed; compare the values above (a field whose Prisma type changed may need a --type override). ${restart}`,
    );
  }
  return undefined;
}
