/** The extras' statements as sections appended to migration.sql. Pure. */

function sectionKind(statement: string): string {
  if (/^CREATE VIEW/.test(statement)) return "CreateView";
  if (/^CREATE (UNIQUE )?INDEX/.test(statement)) return "CreateIndex";
  if (/ADD CONSTRAINT .* CHECK/.test(statement)) return "AddCheckConstraint";
  if (/ADD COLUMN/.test(statement)) return "AddGeneratedColumn";
  return "RawSql";
}

/**
 * The text to append to migration.sql: one `-- <Kind>` section per statement, the format split.ts reads (none of
 * these kinds is pre-data, so they land in postData, after the copy, in this order).
 */
export function renderExtrasSql(statements: readonly string[]): string {
  if (statements.length === 0) return "";
  return `-- sqlite2pg: what Prisma's schema cannot express (see the decisions in the summary)\n\n${statements
    .map((s) => `-- ${sectionKind(s)}\n${s}\n`)
    .join("\n")}`;
}
