/**
 * `plan`: everything `migrate` decides, without touching PostgreSQL — introspect, profile, convert, write
 * schema.prisma and the baseline migration, and list every data problem the copy would meet (unconvertible
 * values, orphaned foreign keys). How a team reviews a migration before running it.
 */
import { copyTable } from "../copy/copy-table.js";
import { findUniqueCollisions } from "../copy/unique-collisions.js";
import { ProblemCollector } from "../core/problems.js";
import { suggestFlags } from "../copy/remedies.js";
import { decodedDecisions, textFallback } from "../copy/text-fallback.js";
import type { Decision } from "../core/decisions.js";
import { writePlan } from "../plan/plan.js";
import type { TableFilter } from "../introspect/table-filter.js";
import { findOrphans } from "../profile/orphans.js";
import { withoutLeftOutForeignKeys } from "../convert/relations.js";
import { noopListener, timedStage, type EventListener } from "../core/events.js";
import { openSnapshot, prepareSchema } from "./prepare.js";
import { type PlanSummary } from "../report/summary-types.js";
import type { NamingMode } from "../convert/naming/index.js";
import { appChanges } from "../verify/behaviour/app-changes.js";

export interface PlanOptions {
  readonly sqlitePath: string;
  readonly outDir: string;
  /** PostgreSQL schema the migration will target (default public). */
  readonly pgSchema?: string;
  readonly typeOverrides?: ReadonlyMap<string, string>;
  /** `--tables` / `--exclude` globs. */
  readonly tables?: TableFilter;
  /** `--decode-fallback`: the encoding of text whose stored bytes are not UTF-8. */
  readonly decodeFallback?: string;
  /** Model and field names: Prisma's conventions (default) or the database's (`--naming keep`). */
  readonly naming?: NamingMode;
  readonly emit?: EventListener;
}

export async function plan(options: PlanOptions): Promise<PlanSummary> {
  const emit = options.emit ?? noopListener;
  const opened = await openSnapshot(options.sqlitePath, emit, options.tables);
  try {
    const { converted, source, extrasSql, coverage, profiles } = await prepareSchema(opened, emit, options.typeOverrides, { naming: options.naming });
    const written = await timedStage(emit, "plan", "prisma migrate diff", () =>
      writePlan({ outDir: options.outDir, schema: converted.schema, pgSchema: options.pgSchema ?? "public", extrasSql }),
    );
    const orphans = findOrphans(source, withoutLeftOutForeignKeys(opened.catalog.tables, converted.leftOutForeignKeys), "stop");
    const problems = new ProblemCollector();
    const catalog = new Map(opened.catalog.tables.map((t) => [t.name, t]));
    const decodeFallback = options.decodeFallback === undefined ? undefined : textFallback(options.decodeFallback);
    const copyDecisions: Decision[] = [];
    const scanned = await timedStage(emit, "preflight", "checking every value converts exactly", async () => {
      const results = [];
      for (const t of converted.tables) {
        // Scan-only (no client): the copy's own encoders run over every row and collect what they refuse.
        const r = await copyTable({ source, client: null, pgSchema: "public", plan: t, table: catalog.get(t.name)!, freeze: false, onError: "stop", problems, emit, decodeFallback });
        results.push({ table: t.name, decoded: r.decoded });
        copyDecisions.push(...r.decisions);
        // Values SQLite keeps apart that conversion makes equal would fail a unique index in PostgreSQL.
        for (const p of findUniqueCollisions(source, catalog.get(t.name)!, t)) problems.add(p);
      }
      return results;
    });
    // Orphans join the value problems' groups (exact past the listing cap) for one suggestion over both.
    const grouped = problems.grouped;
    for (const o of orphans.orphans) grouped.add(o);
    const problemGroups = grouped.groups();
    const changes = await appChanges({ source, tables: converted.tables, schema: converted.schema, profiles, client: null });
    return {
      source: options.sqlitePath,
      schemaPath: written.schemaPath,
      migrationPath: written.migrationPath,
      checksum: written.checksum,
      tables: converted.tables.map((t) => ({ table: t.name, rows: t.rowCount })),
      decisions: [...converted.decisions, ...copyDecisions, ...decodedDecisions(scanned, decodeFallback)],
      problems: problems.listed,
      problemCount: problems.count,
      orphans: orphans.orphans,
      coverage,
      problemGroups,
      suggestion: problemGroups.length === 0 ? null : suggestFlags(problemGroups, grouped.rowCounts()),
      appChanges: changes,
    };
  } finally {
    await opened.dispose();
  }
}
