/**
 * `migrate`: the stages in order. Each stage lives in its own folder; this file only wires them.
 *   1 snapshot → check target → 2 introspect → 3 profile → 4 convert → 5 plan → 6 apply + copy → 7 verify
 */
import { applyAndCopy } from "../apply/apply.js";
import { assertTargetEmpty } from "../apply/target-check.js";
import type { Decision } from "../convert/decisions.js";
import { connectTarget } from "../db/pg-target.js";
import { parseTargetUrl } from "../db/pg-url.js";
import { writePlan } from "../plan/plan.js";
import { compareCounts, type CountCheck } from "../verify/counts.js";
import { Sqlite2pgError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { noopListener, timedStage, type EventListener } from "./events.js";
import { openSnapshot, prepareSchema } from "./prepare.js";

export interface MigrateOptions {
  readonly sqlitePath: string;
  readonly targetUrl: string;
  readonly outDir: string;
  readonly typeOverrides?: ReadonlyMap<string, string>;
  readonly emit?: EventListener;
}

export interface TableSummary {
  readonly table: string;
  readonly rows: number;
  readonly ms: number;
}

export interface MigrateSummary {
  readonly source: string;
  /** The target URL with its password redacted. */
  readonly target: string;
  readonly pgSchema: string;
  readonly schemaPath: string;
  readonly migrationPath: string;
  readonly checksum: string;
  readonly tables: readonly TableSummary[];
  readonly decisions: readonly Decision[];
  readonly counts: readonly CountCheck[];
  readonly timings: Readonly<Record<string, number>>;
  readonly ok: boolean;
}

export async function migrate(options: MigrateOptions): Promise<MigrateSummary> {
  const emit = options.emit ?? noopListener;
  const target = parseTargetUrl(options.targetUrl);
  const started = performance.now();
  const opened = await openSnapshot(options.sqlitePath, emit);
  try {
    const client = await connectTarget(options.targetUrl, "apply");
    try {
      // Refuse a non-empty target first: before the slow stages, before writing any file.
      await assertTargetEmpty(client, target.schema, opened.catalog.tables.map((t) => t.name));
      const { converted, source } = await prepareSchema(opened, emit, options.typeOverrides);
      const plan = await timedStage(emit, "plan", "prisma migrate diff", () =>
        writePlan({ outDir: options.outDir, schema: converted.schema, pgSchema: target.schema, workDir: opened.snapshot.dir }),
      );
      const applied = await applyAndCopy({
        client,
        source,
        pgSchema: target.schema,
        plan,
        tables: converted.tables,
        catalog: new Map(opened.catalog.tables.map((t) => [t.name, t])),
        emit,
      });
      const counts = await timedStage(emit, "verify", "comparing row counts", () =>
        compareCounts(source, client, target.schema, converted.tables.map((t) => t.name)),
      );
      const summary: MigrateSummary = {
        source: options.sqlitePath,
        target: redactUrl(options.targetUrl),
        pgSchema: target.schema,
        schemaPath: plan.schemaPath,
        migrationPath: plan.migrationPath,
        checksum: plan.checksum,
        tables: applied.copied,
        decisions: converted.decisions,
        counts,
        timings: { ...applied.timings, totalMs: performance.now() - started },
        ok: counts.every((c) => c.ok),
      };
      const bad = counts.filter((c) => !c.ok);
      if (bad.length > 0) {
        throw new Sqlite2pgError(
          `row counts differ: ${bad.map((c) => `${c.table} (SQLite ${c.sourceRows}, PostgreSQL ${c.targetRows})`).join("; ")}`,
          { code: "VERIFY_COUNTS", kind: "verification", stage: "verify", object: { table: bad[0].table }, details: { summary } },
        );
      }
      return summary;
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await opened.dispose();
  }
}
