/** Markdown report of a migration, to attach to the pull request that commits the new schema (pure). */
import type { MigrateSummary } from "./summary-types.js";
import { formatDuration } from "./summary.js";
import { appChangesMarkdown } from "./app-changes.js";
import { describeReadBack } from "../verify/readback/format.js";
import { coverageName, describeCoverage } from "../verify/coverage.js";
import { describeIndependent, formatIndependentDifference } from "../verify/independent/independent-check.js";
import { schemaSection } from "./er-diagram.js";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** `schema`: the text of the converted schema.prisma, drawn as a diagram (er-diagram.ts) when given. */
export function migrateMarkdown(s: MigrateSummary, schema?: string): string {
  const out = [
    `# Migration report: \`${s.source}\` → PostgreSQL`,
    "",
    `Target \`${s.target}\`, schema \`${s.pgSchema}\`. Baseline \`${s.migrationPath}\` recorded in \`_prisma_migrations\` (sha256 \`${s.checksum}\`).`,
    "",
    "| table | rows | left out | time | verified |",
    "| --- | ---: | ---: | ---: | --- |",
  ];
  for (const t of s.tables) {
    const count = s.counts.find((c) => c.table === t.table);
    const content = s.content.find((c) => c.table === t.table);
    const verdict = s.verified === "none" ? "not verified" : !count?.ok ? "count MISMATCH" : content ? (content.ok ? "every row identical" : "content DIFFERS") : "count matches";
    out.push(`| ${cell(t.table)} | ${t.rows} | ${t.rejected + t.skipped} | ${formatDuration(t.ms)} | ${verdict} |`);
  }
  out.push("", "## Stages", "", "| stage | step | start | time |", "| --- | --- | ---: | ---: |");
  for (const st of s.stages ?? []) out.push(`| ${cell(st.stage)} | ${cell(st.step)} | ${formatDuration(st.startMs)} | ${formatDuration(st.ms)} |`);
  out.push("", "## Every table of the SQLite file", "", cell(describeCoverage(s.coverage)), "");
  for (const l of s.coverage.leftOut) out.push(`- left out: **${cell(coverageName(l))}**: ${cell(l.reason)}`);
  for (const m of s.coverage.missing) out.push(`- MISSING: **${cell(coverageName(m))}**: ${cell(m.why)}`);
  out.push("", ...schemaSection(schema));
  out.push("## Decisions to review", "");
  if (s.decisions.length === 0) out.push("None.");
  for (const d of s.decisions) out.push(`- **${cell(d.column ? `${d.table}.${d.column}` : d.table)}** (${d.code}): ${cell(d.message)}`);
  out.push("", ...appChangesMarkdown(s.appChanges));
  out.push("## Data handling", "");
  out.push(s.rejects && s.rejects.count > 0 ? `- ${s.rejects.count} row(s) rejected → \`${s.rejects.path}\`` : "- No row rejected.");
  out.push(s.orphans.found > 0 ? `- ${s.orphans.found} orphaned reference(s), policy \`${s.orphans.policy}\`` : "- No orphaned foreign key.");
  out.push("", `Verification: \`${s.verified}\`; result: **${s.ok ? "identical" : "DIFFERENT"}**.`, "");
  if (s.drift) {
    const d = s.drift;
    out.push(
      d.status === "no-drift"
        ? `Schema drift: **none** — the database equals \`migrations/\` replayed in a shadow (${d.objects} objects compared).`
        : d.status === "drift"
          ? `Schema drift: **${d.differences?.length ?? 0} difference(s)** between \`migrations/\` and the database:`
          : `Schema drift: not checked: ${cell(d.detail ?? "")}`,
    );
    for (const x of d.status === "drift" ? (d.differences ?? []) : []) out.push(`- ${cell(x)}`);
    out.push("");
  }
  if (s.independent) {
    out.push(`Independent check (PostgreSQL's values decoded by pg's parsers, compared with SQLite's by meaning): ${cell(describeIndependent(s.independent).replace(/^values decoded independently: /, ""))}.`);
    for (const d of s.independent.differences) out.push(`- ${cell(formatIndependentDifference(d))}`);
    out.push("");
  }
  if (s.readBack) out.push(`Application read-back (Prisma Client on both databases): ${cell(describeReadBack(s.readBack))}.`, "");
  return out.join("\n");
}
