/** Human-readable end-of-run summary (pure: data in, text out). */
import { countOf } from "../core/plural.js";
import { describeDecision } from "../core/decisions.js";
import type { MigrateSummary } from "./summary-types.js";
import type { DriftResult } from "../verify/drift/drift.js";
import { describeReadBack } from "../verify/readback/format.js";
import { coverageLines } from "../verify/coverage.js";
import { appChangesLines } from "./app-changes.js";
import { describeIndependent, formatIndependentDifference } from "../verify/independent/independent-check.js";

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const SHADOW_WORDS: Readonly<Record<string, string>> = {
  database: "a shadow database",
  schema: "a temporary schema, rolled back",
  pglite: "an in-memory PGlite",
};

/** The schema drift verdict: none, the differences (at most 20 here; all in the warning and the JSON), or why not. */
export function driftLines(d: DriftResult): string[] {
  const where = d.shadow ? SHADOW_WORDS[d.shadow] : "a shadow";
  if (d.status === "no-drift") return [`          schema drift: none (database = migrations/ applied to ${where}, ${d.objects} objects compared)`];
  if (d.status === "unavailable") return [`          schema drift: not checked: ${d.detail}${d.hint ? ` (${d.hint})` : ""}`];
  const list = d.differences ?? [];
  return [
    `          schema drift: DIFFERS from migrations/ applied to ${where}: ${list.length} difference(s) in ${d.objects} objects compared`,
    ...list.slice(0, 20).map((x) => `            - ${x}`),
    ...(list.length > 20 ? [`            … and ${list.length - 20} more (see the warning above or --json)`] : []),
  ];
}

/** The stage table: each step, when it started and how long it took (steps overlap where they run side by side). */
export function stageLines(stages: MigrateSummary["stages"]): string[] {
  if (stages.length === 0) return [];
  const stageWidth = Math.max(5, ...stages.map((s) => s.stage.length));
  const stepWidth = Math.min(60, Math.max(4, ...stages.map((s) => s.step.length)));
  const step = (text: string) => (text.length > stepWidth ? `${text.slice(0, stepWidth - 1)}…` : text);
  return [
    `${pad("stage", stageWidth)}  ${pad("step", stepWidth)}  ${pad("start", 9, true)}  ${pad("time", 9, true)}`,
    ...stages.map((s) => `${pad(s.stage, stageWidth)}  ${pad(step(s.step), stepWidth)}  ${pad(formatDuration(s.startMs), 9, true)}  ${pad(formatDuration(s.ms), 9, true)}`),
  ];
}

export function formatSummary(summary: MigrateSummary): string {
  const countByTable = new Map(summary.counts.map((c) => [c.table, c]));
  const nameWidth = Math.max(5, ...summary.tables.map((t) => t.table.length));
  const lines: string[] = [];
  lines.push(`${pad("table", nameWidth)}  ${pad("rows", 10, true)}  ${pad("left out", 8, true)}  ${pad("time", 9, true)}  ${pad("rows/s", 10, true)}  check`);
  let totalRows = 0;
  for (const t of summary.tables) {
    totalRows += t.rows;
    const check = countByTable.get(t.table);
    const content = summary.content.find((c) => c.table === t.table);
    const rate = t.ms > 0 ? Math.round((t.rows / t.ms) * 1000) : 0;
    lines.push(
      `${pad(t.table, nameWidth)}  ${pad(String(t.rows), 10, true)}  ${pad(String(t.rejected + t.skipped), 8, true)}  ${pad(formatDuration(t.ms), 9, true)}  ${pad(String(rate), 10, true)}  ${summary.verified === "none" ? "-" : check?.ok && (content?.ok ?? true) ? (content ? "rows identical" : "count ok") : `MISMATCH (SQLite ${check?.sourceRows} − ${check?.leftOut} left out ≠ PostgreSQL ${check?.targetRows})`}`,
    );
  }
  lines.push("", ...stageLines(summary.stages ?? []));
  lines.push("");
  lines.push(`${countOf(summary.tables.length, "table")}, ${countOf(totalRows, "row")} copied in ${formatDuration(summary.timings.totalMs ?? 0)} (data phase: ${((summary.timings.dataMs ?? 0) / 1000).toFixed(3)} s)`);
  if (summary.verified === "none") lines.push("verified: nothing (--verify=none)");
  else lines.push(`verified: row counts of ${countOf(summary.counts.length, "table")} ${summary.counts.every((c) => c.ok) ? "match" : "DIFFER"}`);
  if (summary.verified === "full") {
    const same = summary.content.filter((c) => c.ok).length;
    const by = (m: string) => summary.content.filter((c) => c.method === m).length;
    const how =
      by("sent") === summary.content.length
        ? "sha256 of the COPY data sent = of PostgreSQL's COPY output"
        : `sha256 per table, both sides: ${by("sent")} from the data sent, ${by("checksum")} re-read, ${by("rows")} row by row`;
    lines.push(`          content of every row: ${same}/${countOf(summary.content.length, "table")} identical (${how})`);
  }
  if (summary.independent) {
    lines.push(`          ${describeIndependent(summary.independent)}`);
    lines.push(...summary.independent.differences.slice(0, 20).map((d) => `            - ${formatIndependentDifference(d)}`));
  }
  if (summary.drift) lines.push(...driftLines(summary.drift));
  if (summary.readBack) lines.push(`          application read-back: ${describeReadBack(summary.readBack)}`);
  lines.push(...coverageLines(summary.coverage));
  if (summary.rejects && summary.rejects.count > 0) {
    lines.push(`rejected:  ${summary.rejects.count} row(s) whose values cannot be converted exactly → ${summary.rejects.path}`);
  }
  const o = summary.orphans;
  if (o.found > 0) {
    const action =
      o.policy === "null" ? "references set to NULL" : o.policy === "delete" ? `rows left out (+${o.cascaded} dependent rows)` : `kept; ${o.droppedForeignKeys} foreign key(s) not created`;
    lines.push(`orphans:   ${o.found} row(s) referencing missing parents: ${action}`);
  }
  lines.push(`schema:    ${summary.schemaPath}`);
  lines.push(`baseline:  ${summary.migrationPath} (recorded in _prisma_migrations, sha256 ${summary.checksum.slice(0, 12)}…)`);
  lines.push(`target:    ${summary.target} (schema "${summary.pgSchema}")`);
  const p = summary.project;
  if (p) {
    lines.push(`project:   ${p.schemaPath} switched to PostgreSQL in place; the SQLite original is ${p.schemaBackup}`);
    if (p.migrationsArchive) lines.push(`           SQLite migration history archived in ${p.migrationsArchive} (kept, no longer applied)`);
    if (p.prismaConfig) lines.push(`           ${p.prismaConfig} written (Prisma 7: the datasource URL comes from DATABASE_URL there)`);
    if (p.schemaCheck === "names") lines.push("           the database's index/constraint names differed from the schema's: PostgreSQL got the schema's names");
  }
  lines.push("", ...appChangesLines(summary.appChanges));
  if (summary.decisions.length > 0) {
    lines.push("");
    lines.push(`decisions to review (also ${summary.project ? "// sqlite2pg: comments" : "/// comments"} in schema.prisma):`);
    for (const d of summary.decisions) lines.push(`  - ${describeDecision(d)}`);
  }
  lines.push("");
  if (summary.embedded) {
    lines.push(`This run used the embedded PostgreSQL (PGlite) in ${summary.embedded.dataDir}.`);
    lines.push("  to migrate into a real server: sqlite2pg migrate <file> --to postgresql://user@host:5432/db");
    lines.push("  to load this copy elsewhere: dump it with pg_dump from @electric-sql/pglite-tools, then psql -f the dump");
  }
  if (p) {
    lines.push("next steps:");
    lines.push(`  1. review the change (e.g. \`git diff ${p.schemaPath}\`) and commit ${p.schemaPath}, the new migrations/ folder${p.migrationsArchive ? " and the archive" : ""}${p.prismaConfig ? ` and ${p.prismaConfig}` : ""}`);
    lines.push("  2. set DATABASE_URL to the PostgreSQL URL wherever the app runs (.env, deployment secrets)");
    lines.push("  3. run `npx prisma generate` (the client must be regenerated for postgresql), then `npx prisma migrate status`: up to date");
    lines.push("  4. future schema changes: `npx prisma migrate dev` builds on the 0_init baseline");
  } else {
    lines.push("next: review and commit the schema and migrations, set DATABASE_URL, run `npx prisma generate`.");
  }
  return lines.join("\n");
}
