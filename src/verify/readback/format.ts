/** Read-back results as text for the summary, the Markdown report and the failure message (pure). */
import { countOf } from "../../core/plural.js";
import type { ReadBackResult } from "./check.js";

/** One line for a summary: what was compared, or why not. */
export function describeReadBack(r: ReadBackResult): string {
  if (r.status === "unavailable") return `not checked: ${r.detail}`;
  const compared = r.models.filter((m) => m.status === "compared" && m.relation === undefined && m.view === undefined);
  const rows = compared.reduce((n, m) => n + m.rows, 0);
  // Implicit many-to-many relations are read through their fields: their links are counted apart from rows.
  const relations = r.models.filter((m) => m.status === "compared" && m.relation !== undefined);
  const links = relations.length === 0 ? "" : ` and ${countOf(relations.reduce((n, m) => n + m.rows, 0), "link")} of ${countOf(relations.length, "many-to-many relation")}`;
  // Views have no key: their first rows in byte order are compared as multisets (views.ts).
  const views = r.models.filter((m) => m.status === "compared" && m.view !== undefined);
  const viewRows = views.reduce((n, m) => n + m.rows, 0);
  const viewTotal = views.reduce((n, m) => n + (m.view?.total ?? 0), 0);
  const inViews = views.length === 0 ? "" : ` and ${viewRows} of the ${countOf(viewTotal, "row")} of ${countOf(views.length, "view")} (as multisets: each view's first rows in byte order, up to the sample size)`;
  const skipped = r.models.filter((m) => m.status === "not-compared");
  // Grouped by reason: a legacy file can have a dozen models Prisma ignores for the same reason.
  const byReason = new Map<string, string[]>();
  for (const m of skipped) byReason.set(m.reason ?? "", [...(byReason.get(m.reason ?? "") ?? []), m.model]);
  const notes = r.models.flatMap((m) => m.notes ?? []);
  // A schema with very many models is read back on a sample of them (model-sample.ts): say so, and what covers the rest.
  const sampled = r.sample
    ? `; ${r.sample.models} of ${countOf(r.sample.of, "model")} read back (a deterministic sample: the schema has more models than are read back; every row of every table is compared by the checksums and the independent check)`
    : "";
  const tail =
    sampled +
    (skipped.length > 0 ? `; not compared: ${[...byReason].map(([reason, names]) => `${names.join(", ")} (${reason})`).join("; ")}` : "") +
    (notes.length > 0 ? `; note: ${notes.join("; ")}` : "");
  if (r.status === "same") return `${countOf(rows, "row")} of ${countOf(compared.length, "model")}${links}${inViews} identical through Prisma Client${tail}`;
  const count = r.models.reduce((n, m) => n + m.differences.length, 0);
  const failed = r.models.filter((m) => m.status === "failed");
  return `DIFFERS: ${count} difference(s)${failed.length > 0 ? `, ${failed.length} model(s) unreadable from PostgreSQL` : ""} (${countOf(rows, "row")} of ${countOf(compared.length, "model")}${links}${inViews} read)${tail}`;
}

/** Every difference, one line each (for the failure message). */
export function formatReadBackDifferences(r: ReadBackResult): string {
  const lines: string[] = [];
  for (const m of r.models) {
    if (m.status === "failed") lines.push(`  ${m.model}: ${m.reason}`);
    for (const d of m.differences) lines.push(`  ${d.model} [${d.key}] ${d.field}: SQLite ${d.sqlite} ≠ PostgreSQL ${d.postgres}`);
  }
  return lines.join("\n");
}
