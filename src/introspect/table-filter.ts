/**
 * `--tables` / `--exclude`: which SQLite tables take part. Globs: `*` any run of characters, `?` one character,
 * matched against the whole table name, case-sensitively (SQLite names are case-insensitive only for lookup;
 * we match what the catalog spells).
 */
import { Sqlite2pgError } from "../core/errors.js";

export interface TableFilter {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

export function tablePredicate(filter: TableFilter | undefined): (name: string) => boolean {
  if (!filter || ((filter.include?.length ?? 0) === 0 && (filter.exclude?.length ?? 0) === 0)) return () => true;
  const inc = (filter.include ?? []).map(globToRegExp);
  const exc = (filter.exclude ?? []).map(globToRegExp);
  return (name) => (inc.length === 0 || inc.some((r) => r.test(name))) && !exc.some((r) => r.test(name));
}

/** A kept table whose foreign key points at a left-out table cannot be created: say which, before anything runs. */
export function assertClosedUnderForeignKeys(
  tables: readonly { readonly name: string; readonly foreignKeys: readonly { readonly table: string }[] }[],
  keep: (name: string) => boolean,
  all: readonly string[],
): void {
  const byLower = new Map(all.map((n) => [n.toLowerCase(), n]));
  for (const t of tables) {
    if (!keep(t.name)) continue;
    for (const fk of t.foreignKeys) {
      const parent = byLower.get(fk.table.toLowerCase()) ?? fk.table;
      if (!keep(parent)) {
        throw new Sqlite2pgError(`table "${t.name}" has a foreign key to "${parent}", which --tables/--exclude leaves out`, {
          code: "TABLE_FILTER",
          kind: "usage",
          stage: "cli",
          object: { table: t.name },
          hint: `include "${parent}" too, or leave out "${t.name}" as well`,
        });
      }
    }
  }
}
