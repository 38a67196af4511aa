/** Text and Markdown renderings of a plan (pure). */
import { countOf } from "../core/plural.js";
import { describeProblem, formatProblemGroups } from "../core/problems.js";
import { describeDecision } from "../core/decisions.js";
import type { PlanSummary } from "./summary-types.js";
import { appChangesLines, appChangesMarkdown } from "./app-changes.js";
import { coverageLines, coverageName, describeCoverage } from "../verify/coverage.js";
import { schemaSection } from "./er-diagram.js";

export function formatPlan(p: PlanSummary): string {
  const lines = [`${countOf(p.tables.length, "table")}, ${countOf(p.tables.reduce((n, t) => n + t.rows, 0), "row")}`, `schema:    ${p.schemaPath}`, `baseline:  ${p.migrationPath}`];
  lines.push(...coverageLines(p.coverage));
  if (p.decisions.length > 0) {
    lines.push("", "decisions to review (also /// comments in schema.prisma):");
    for (const d of p.decisions) lines.push(`  - ${describeDecision(d)}`);
  }
  if (p.problemCount > 0) {
    lines.push("", `${p.problemCount} value(s) cannot be converted exactly (migrate stops; --on-error=reject copies the rest and keeps these rows in a rejects file):`);
    // By column: a count and the first rows (every problem is in the JSON plan).
    lines.push(formatProblemGroups(p.problemGroups.filter((g) => g.kind !== "orphan")));
  }
  if (p.orphans.length > 0) {
    lines.push("", `${p.orphans.length} row(s) reference missing parents (migrate stops; choose --orphans=null|delete|keep-without-fk):`);
    lines.push(formatProblemGroups(p.problemGroups.filter((g) => g.kind === "orphan")));
  }
  if (p.problemCount === 0 && p.orphans.length === 0) lines.push("", "no data problems: every value converts exactly.");
  lines.push("", ...appChangesLines(p.appChanges));
  return lines.join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** `schema`: the text of the converted schema.prisma, drawn as a diagram (er-diagram.ts) when given. */
export function planMarkdown(p: PlanSummary, schema?: string): string {
  const out = [`# Migration plan: \`${p.source}\` → PostgreSQL`, "", "| table | rows |", "| --- | ---: |"];
  for (const t of p.tables) out.push(`| ${cell(t.table)} | ${t.rows} |`);
  out.push("", cell(describeCoverage(p.coverage)), "");
  for (const l of p.coverage.leftOut) out.push(`- left out: **${cell(coverageName(l))}**: ${cell(l.reason)}`);
  out.push("", ...schemaSection(schema));
  out.push("## Decisions to review", "");
  if (p.decisions.length === 0) out.push("None.");
  for (const d of p.decisions) out.push(`- **${cell(d.column ? `${d.table}.${d.column}` : d.table)}** (${d.code}): ${cell(d.message)}`);
  out.push("", "## Data problems", "");
  if (p.problemCount === 0 && p.orphans.length === 0) out.push("None: every value converts exactly.");
  for (const g of p.problemGroups) {
    const where = g.column === undefined ? g.table : `${g.table}.${g.column}`;
    out.push(`- **${cell(where)}**: ${g.count} ${g.kind === "orphan" ? "orphaned reference(s)" : "value(s)"} in ${g.rows} row(s)`);
    for (const pr of g.examples) out.push(`  - ${cell(describeProblem(pr))}`);
    if (g.count > g.examples.length) out.push(`  - … and ${g.count - g.examples.length} more (all in the JSON plan: \`--report plan.json\`)`);
  }
  out.push("", ...appChangesMarkdown(p.appChanges));
  out.push(`Baseline migration: \`${p.migrationPath}\` (sha256 \`${p.checksum}\`).`, "");
  return out.join("\n");
}
