/**
 * Split the baseline migration into what must exist before the data (schemas, enums, tables with their primary
 * keys) and what is faster and safer to build after it (indexes, foreign keys), the order pg_dump and pgcopydb
 * use. Prisma's `migrate diff --script` output labels every statement with a `-- <Kind>` comment line.
 */
export interface SplitMigration {
  readonly preData: readonly string[];
  readonly postData: readonly string[];
}

const PRE_DATA = new Set(["CreateSchema", "CreateEnum", "CreateTable", "CreateExtension"]);

export function splitMigration(sql: string): SplitMigration {
  const preData: string[] = [];
  const postData: string[] = [];
  // Sections start at a line "-- Kind"; statements inside a section are separated by ";\n".
  const sections = sql.split(/^-- (?=[A-Z][A-Za-z]+\s*$)/m).filter((s) => s.trim() !== "");
  for (const section of sections) {
    const newline = section.indexOf("\n");
    const kind = section.slice(0, newline).trim();
    const body = section.slice(newline + 1).trim();
    if (body === "") continue;
    (PRE_DATA.has(kind) ? preData : postData).push(body);
  }
  return { preData, postData };
}
