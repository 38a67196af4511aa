/**
 * Read-back of implicit many-to-many relations (convert/implicit-m2m.ts). Their relation tables have no model, so
 * the per-model read-back never reads them; the application reads them through the relation fields. For the
 * owners the sample holds (readback-sample.ts SampleRelation: the first distinct values of `A`, with all their
 * links and the rows linked), both clients read `findMany({ where: { id: { in: owners } }, select: { id, <relation
 * field>: { select: { id } } } })` and the lists of linked keys must be the same: a link missing in PostgreSQL is
 * a difference. A self-relation reads both of its fields (one goes through `A`, the other through `B`).
 */
import type { ImplicitManyToMany } from "../../convert/implicit-m2m.js";
import type { ModelDelegate } from "./client.js";
import { comparisonFor, excerpt } from "./compare.js";
import type { ReadBackDifference, ReadBackModel } from "./types.js";
import type { ModelInfo } from "./schema.js";
import { redact } from "../../core/redact.js";

export interface RelationInput {
  readonly relation: ImplicitManyToMany;
  /** Per model name, on each side. */
  readonly sqliteModels: ReadonlyMap<string, ModelInfo>;
  readonly pgModels: ReadonlyMap<string, ModelInfo>;
  /** Delegate of a model in each client. */
  readonly sqliteDelegate: (model: string) => ModelDelegate | undefined;
  readonly pgDelegate: (model: string) => ModelDelegate | undefined;
  /** Scalar field types of a model in each client. */
  readonly sqliteFields: (model: string) => ReadonlyMap<string, string>;
  readonly pgFields: (model: string) => ReadonlyMap<string, string>;
  /** The sampled owners (values of `A` as better-sqlite3 returns them), or why the sample could not be made. */
  readonly owners: readonly unknown[] | undefined;
  readonly sampleFailure: string | undefined;
  /** Some rows of the relation table, or of a model it links, were left out on purpose (--on-error=reject, --orphans=delete). */
  readonly leftOutOnPurpose: boolean;
  readonly maxDifferences: number;
}

type Row = Record<string, unknown>;

/** The value a client takes in a filter on an `@id` of this Prisma type, from what better-sqlite3 returned. */
function clientValue(raw: unknown, prismaType: string): unknown {
  if (prismaType === "Int" && typeof raw === "bigint") return Number(raw);
  if (prismaType === "BigInt" && (typeof raw === "number" || typeof raw === "bigint")) return BigInt(raw);
  return raw;
}

export async function compareRelation(input: RelationInput): Promise<ReadBackModel> {
  const { relation } = input;
  const base = { model: relation.table, relation: relation.fields.map((f) => `${f.model}.${f.field}`) } as const;
  const notCompared = (reason: string): ReadBackModel => ({ ...base, status: "not-compared", rows: 0, reason, differences: [], fieldsNotCompared: [] });
  if (input.sampleFailure !== undefined) return notCompared(`its rows could not be copied from the snapshot: ${input.sampleFailure.slice(0, 300)}`);
  const owner = relation.modelA;
  const keyOf = (models: ReadonlyMap<string, ModelInfo>, model: string): string | undefined => {
    const keys = models.get(model)?.keyFields;
    return keys?.length === 1 ? keys[0] : undefined;
  };
  const ownerKey = keyOf(input.sqliteModels, owner);
  const linkedKey = keyOf(input.sqliteModels, relation.modelB);
  if (!ownerKey || !linkedKey || keyOf(input.pgModels, owner) !== ownerKey || keyOf(input.pgModels, relation.modelB) !== linkedKey) {
    return notCompared("the linked models have no single @id on both sides");
  }
  const ownerCmp = comparisonFor({ sqlite: input.sqliteFields(owner).get(ownerKey) ?? "?", postgres: input.pgFields(owner).get(ownerKey) ?? "?" });
  const linkedCmp = comparisonFor({ sqlite: input.sqliteFields(relation.modelB).get(linkedKey) ?? "?", postgres: input.pgFields(relation.modelB).get(linkedKey) ?? "?" });
  if (!ownerCmp.comparable) return notCompared(`@id ${owner}.${ownerKey}: ${ownerCmp.reason}`);
  if (!linkedCmp.comparable) return notCompared(`@id ${relation.modelB}.${linkedKey}: ${linkedCmp.reason}`);
  if (input.owners === undefined) return notCompared("no sample of its links was taken");
  const sqliteDelegate = input.sqliteDelegate(owner);
  const pgDelegate = input.pgDelegate(owner);
  if (!sqliteDelegate || !pgDelegate) return notCompared("no Prisma Client delegate");

  // On a self-relation both fields are on the owner; otherwise the owner's field lists the linked model's rows.
  const fields = relation.modelA === relation.modelB ? relation.fields.map((f) => f.field) : [relation.fields[0].field];
  const select = { [ownerKey]: true, ...Object.fromEntries(fields.map((f) => [f, { select: { [linkedKey]: true } }])) };
  const ownerType = input.sqliteFields(owner).get(ownerKey) ?? "";
  const owners = input.owners.map((v) => clientValue(v, ownerType));
  let sqliteRows: Row[];
  try {
    sqliteRows = owners.length === 0 ? [] : await sqliteDelegate.findMany({ where: { [ownerKey]: { in: owners } }, orderBy: { [ownerKey]: "asc" }, select });
  } catch (err) {
    return notCompared(`Prisma Client cannot read it from SQLite: ${firstLine(err)}`);
  }
  let pgRows: Row[];
  try {
    pgRows = sqliteRows.length === 0 ? [] : await pgDelegate.findMany({ where: { [ownerKey]: { in: sqliteRows.map((r) => ownerCmp.toTarget(r[ownerKey])) } }, select });
  } catch (err) {
    return { ...base, status: "failed", rows: 0, reason: `Prisma Client cannot read it from PostgreSQL: ${firstLine(err)}`, differences: [], fieldsNotCompared: [] };
  }

  const differences: ReadBackDifference[] = [];
  const add = (d: Omit<ReadBackDifference, "model">): void => {
    if (differences.length < input.maxDifferences) differences.push({ model: relation.table, ...d });
  };
  let links = 0;
  let leftOut = 0;
  for (const row of sqliteRows) {
    const key = `${owner} ${ownerKey}=${excerpt(row[ownerKey], 40)}`;
    const match = pgRows.find((p) => ownerCmp.same(row[ownerKey], p[ownerKey]));
    for (const field of fields) {
      const want = ((row[field] ?? []) as Row[]).map((r) => r[linkedKey]);
      const got = ((match?.[field] ?? []) as Row[]).map((r) => r[linkedKey]);
      links += want.length;
      // Multiset difference by the key comparison (Int on SQLite may be BigInt on PostgreSQL).
      const unmatched = [...got];
      const missing = want.filter((w) => {
        const at = unmatched.findIndex((g) => linkedCmp.same(w, g));
        if (at < 0) return true;
        unmatched.splice(at, 1);
        return false;
      });
      if (missing.length === 0 && unmatched.length === 0) continue;
      if (input.leftOutOnPurpose && unmatched.length === 0) {
        leftOut += missing.length;
        continue;
      }
      add({ key, field, sqlite: listExcerpt(want), postgres: match ? listExcerpt(got) : "(row missing)" });
    }
  }
  return { ...base, status: "compared", rows: links - leftOut, ...(leftOut > 0 ? { leftOut } : {}), differences, fieldsNotCompared: [] };
}

/** The linked keys, as the differences show them (bigints cannot go through JSON.stringify). */
function listExcerpt(keys: readonly unknown[]): string {
  const shown = keys.slice(0, 10).map((k) => excerpt(k, 40));
  return `[${shown.join(", ")}${keys.length > 10 ? `, … (${keys.length} in all)` : ""}]`;
}

function firstLine(err: unknown): string {
  const text = redact(err instanceof Error ? err.message : String(err));
  return (text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? text).slice(0, 300);
}
