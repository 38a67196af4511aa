/**
 * Prisma's introspection comments out a column whose name it cannot turn into a field name (e.g. `$1`):
 *
 *     /// This field was commented out because of an invalid name. Please provide a valid one that matches …
 *     // $1 String? @map("$1")
 *
 * Left like that, the column would silently vanish from the migration. We restore the field under a generated
 * valid name, keeping `@map` to the real column name (pure text transformation of the pulled schema).
 */
const COMMENTED = /^(\s*)\/\/\/ This field was commented out because of an invalid name\.[^\n]*\n\s*\/\/ (\S+)( [^\n]*@map\([^\n]*)$/gm;

export function restoreInvalidFields(schema: string): string {
  const used = new Set<string>();
  return schema.replace(COMMENTED, (_m, indent: string, name: string, rest: string) => {
    let base = `c_${name.replace(/[^A-Za-z0-9_]/g, "_")}`.replace(/_+$/, "") || "c";
    let candidate = base;
    for (let i = 2; used.has(candidate) || schema.includes(`\n${indent}${candidate} `); i++) candidate = `${base}_${i}`;
    used.add(candidate);
    base = candidate;
    return `${indent}/// field name generated: the column "${name}" is not a valid Prisma identifier\n${indent}${base}${rest}`;
  });
}
