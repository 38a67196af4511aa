/**
 * "What the application sees": for a sample of rows per model, read through Prisma Client from SQLite and from
 * PostgreSQL and compare the JavaScript objects — proof that the app gets the same data after the switch, beyond
 * the byte-level verification (verify.ts), which compares what the databases store.
 *
 * Two throw-away clients are built (client.ts): one from the SQLite schema the run started from (the
 * introspected one, or the user's with --schema), one from the converted postgresql schema. Both run the query
 * compiler through driver adapters — @prisma/adapter-better-sqlite3 and @prisma/adapter-pg — so nothing is
 * downloaded. Per model, the first `sampleSize` rows in key order are read from SQLite, the rows with the same keys
 * from PostgreSQL (key equality, not PostgreSQL's collation order, picks them), and every field is compared
 * (readback-compare.ts says what "same" means).
 * Each `view` block is read too, as a multiset of its first rows in byte order (views.ts), and each model with an
 * indexed text field once in that field's order (ordered.ts: behaviour, reported in What changes for the app).
 *
 * SQLite's side is the run's snapshot, not the live file: the rows the SQLite client reads are first copied from
 * the snapshot's read transaction into a sample file (readback-sample.ts), so an application writing meanwhile
 * causes no false difference.
 *
 * Best effort like the drift check: no Prisma adapter for the embedded target, or a client that cannot be
 * built, makes the check "unavailable" with the reason; it never passes silently.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { openTarget, type Target } from "../../db/target.js";
import type { PgClient } from "../../db/pg-client.js";
import type { Snapshot } from "../../introspect/snapshot.js";
import { redact } from "../../core/redact.js";
import { readBackClient, type GeneratedClient, type ModelDelegate } from "./client.js";
import { comparisonFor, excerpt, sameOutsideInvalidBytes, unreadableOnSqlite, type Comparison } from "./compare.js";
import { buildReadBackSample, type SampleRelation, type SampleTable } from "./sample.js";
import { compareRelation } from "./relations.js";
import { readBackSchemas } from "./model-sample.js";
import { readModels, readRelations, unignoreKeyedModels, type ModelInfo } from "./schema.js";
import { reconcileSchemaRelations } from "../../convert/relations.js";
import { type ReadBackDifference, type ReadBackModel } from "./types.js";
import { compareView, readViews, withSqliteViewBlocks } from "./views.js";
import { orderedRead } from "./ordered.js";
import type { OrderedRead } from "../behaviour/types.js";
import { mapConcurrently } from "../../core/concurrency.js";

export interface ReadBackOptions {
  /**
   * The run's snapshot of the SQLite file: its connection (read transaction) supplies the rows, its schema-only
   * clone the tables they are copied into. The live file is never read.
   */
  readonly snapshot: Pick<Snapshot, "db" | "schemaClonePath">;
  /** The SQLite schema.prisma the application used (or the introspected one). */
  readonly sqliteSchemaPath: string;
  /** The converted postgresql schema.prisma. */
  readonly pgSchemaPath: string;
  readonly targetUrl: string;
  /** The target built from targetUrl, when the caller has one (db/target.ts): not parsed again. */
  readonly target?: Target;
  /** The run's connection to the target: the embedded target is read through its PGlite instance. */
  readonly client?: PgClient;
  /** PostgreSQL schema holding the tables (`?schema=`). */
  readonly pgSchema: string;
  /** Scratch directory for the sample file (the run's snapshot directory). */
  readonly workDir: string;
  /** Rows read per model (default 100). */
  readonly sampleSize?: number;
  /** `table.column` (SQLite names) whose integers convert read as epoch seconds. */
  readonly epochSecondsColumns?: ReadonlySet<string>;
  /** Differences listed per model (default 20). */
  readonly maxDifferences?: number;
  /**
   * Rows the migration changed on purpose, per SQLite table: some rows left out (`--on-error=reject`,
   * `--orphans=delete`) and columns whose dangling references were cleared (`--orphans=null`). A row missing there,
   * or NULL in such a column, is what the user chose, not a difference.
   */
  /** The migrated views (SQLite name → PostgreSQL name): each view block of the schema is read on both sides. */
  readonly views?: readonly { readonly view: string; readonly pgName: string }[];
  readonly changedOnPurpose?: ReadonlyMap<string, { readonly leftOut: boolean; readonly nullified: ReadonlySet<string>; readonly decoded?: ReadonlySet<string> }>;
}

export interface ReadBackResult {
  readonly status: "same" | "different" | "unavailable";
  readonly models: readonly ReadBackModel[];
  /** Set when the schema has more models than are read back (model-sample.ts): how many were read, of how many. */
  readonly sample?: { readonly models: number; readonly of: number };
  /** Why the check could not run. */
  readonly detail?: string;
  /** One ordered read per model with an indexed text field (ordered.ts): behaviour, not a difference in the data. */
  readonly orderedReads?: readonly OrderedRead[];
  readonly ms: number;
}

const DEFAULT_SAMPLE = 100;
/** Models read back at a time (both clients' queries of each in flight together). */
const READ_CONCURRENCY = 4;

type Client = Record<string, unknown> & { $disconnect(): Promise<void> };

/** What the read-back's reads start from: schemas parsed, the sample file written, both generated clients. */
export interface PreparedReadBack {
  readonly started: number;
  readonly schemas: ReturnType<typeof readBackSchemas>;
  readonly sqliteModels: ReadonlyMap<string, ModelInfo>;
  readonly pgModels: ReadonlyMap<string, ModelInfo>;
  readonly relations: ReturnType<typeof readRelations>;
  readonly views: readonly { readonly info: ReturnType<typeof readViews>[number]; readonly view: string }[];
  readonly sampleFailed: ReadonlyMap<string, string>;
  readonly owners: ReadonlyMap<string, readonly unknown[]>;
  readonly viewSamples: ReadonlyMap<string, { readonly rows: number; readonly total: number }>;
  readonly generated: readonly [GeneratedClient, GeneratedClient];
  readonly sqliteClient: Client;
  /** Not connected yet: its first query opens its pool. */
  readonly pgClient: Client;
  /** Each comparable model's sample, read from SQLite already (or why it could not be). */
  readonly sqliteReads: ReadonlyMap<string, Promise<SqliteRead>>;
  /** Both clients disconnected; for a read-back prepared but never read (the run failed in between). */
  dispose(): Promise<void>;
}

/** A model's sample read through Prisma Client on SQLite, or the error that read ended with. */
type SqliteRead = { readonly rows: Record<string, unknown>[] } | { readonly error: unknown };

/** The first `take` rows of a model in key order, as the SQLite client reads them (never rejects). */
function readSqliteSample(delegate: ModelDelegate, keys: readonly string[], take: number): Promise<SqliteRead> {
  return delegate.findMany({ take, orderBy: keys.map((k) => ({ [k]: "asc" })) }).then(
    (rows): SqliteRead => ({ rows }),
    (error: unknown): SqliteRead => ({ error }),
  );
}

/** The read-back: prepared, then read (the two halves below, which `migrate` runs at different times). */
export async function readBackCheck(options: ReadBackOptions): Promise<ReadBackResult> {
  const prepared = await prepareReadBack(options);
  return "status" in prepared ? prepared : readPreparedBack(prepared, options);
}

/**
 * Everything the read-back needs before PostgreSQL holds the data — the schemas read, the sample copied out of the
 * snapshot, both clients generated, every model's sample read on SQLite: ~0.3 s of the main thread for six models
 * (much of it the query compiler), which `migrate` spends while PostgreSQL builds indexes, not at the start of
 * the verification. Or the result when the check cannot run.
 * After the sample it yields to the event loop before each client (~40 ms each), so what else the run waits on
 * meanwhile (the next index build's statement) is not held up by both.
 */
export async function prepareReadBack(options: Omit<ReadBackOptions, "changedOnPurpose">): Promise<PreparedReadBack | ReadBackResult> {
  const started = performance.now();
  const done = (r: Omit<ReadBackResult, "ms">): ReadBackResult => ({ ...r, ms: performance.now() - started });
  const target = options.target ?? openTarget(options.targetUrl);
  if (!target.can.readBack) return done({ status: "unavailable", models: [], detail: "no Prisma driver adapter for this target" });
  // Synchronous up to the sample: the caller starts the read-back and goes on reading the snapshot's connection
  // (verification), which better-sqlite3 cannot share with a statement started in between.
  const sqliteSchemaText = readFileSync(options.sqliteSchemaPath, "utf8");
  const pgSchemaText = readFileSync(options.pgSchemaPath, "utf8");
  // Reduced to a sample of models when there are very many (model-sample.ts): the clients are built from these.
  const schemas = readBackSchemas(sqliteSchemaText, pgSchemaText);
  // Prisma validates relations whatever the provider: the SQLite client needs convert's relation fixes too
  // (relations.ts), applied here to the models read back only (parsing 2000 models costs ~0.6 s and ~90 MB).
  // The converted schema's view blocks, given to the SQLite client too (views.ts): both read each view.
  const sqliteSchema = withSqliteViewBlocks(unignoreKeyedModels(reconcileSchemaRelations(schemas.sqlite)), schemas.postgresql);
  const views = readViews(schemas.postgresql).flatMap((info) => {
    const view = options.views?.find((v) => v.pgName === info.pgName)?.view;
    return view === undefined ? [] : [{ info, view }];
  });
  const sqliteModels = new Map(readModels(sqliteSchema).map((m) => [m.model, m]));
  const pgModels = new Map(readModels(schemas.postgresql).map((m) => [m.model, m]));
  const sampleSize = options.sampleSize ?? DEFAULT_SAMPLE;
  // The rows the SQLite client will read, copied out of the snapshot. Only models that can be compared need them.
  const tables: SampleTable[] = [];
  for (const [name] of pgModels) {
    const m = sqliteModels.get(name);
    if (!m || m.ignored || m.keyFields.length === 0 || tables.some((t) => t.table === m.table)) continue;
    const ordered = pgModels.get(name)?.orderedField;
    const orderColumn = ordered === undefined ? undefined : m.columns.get(ordered);
    tables.push({ table: m.table, keyColumns: m.keyFields.map((k) => m.columns.get(k) ?? k), ...(orderColumn === undefined ? {} : { orderColumn }) });
  }
  // Implicit many-to-many relations declared alike in both schemas, and the tables their links point at.
  const sqliteRelations = new Map(readRelations(sqliteSchema).map((r) => [r.table, r]));
  const relations = readRelations(schemas.postgresql).filter((r) => {
    const s = sqliteRelations.get(r.table);
    return s !== undefined && JSON.stringify(s) === JSON.stringify(r);
  });
  const relationSamples: SampleRelation[] = [];
  for (const r of relations) {
    const [a, b] = [sqliteModels.get(r.modelA), sqliteModels.get(r.modelB)];
    if (!a || !b || a.keyFields.length !== 1 || b.keyFields.length !== 1) continue;
    const keyColumn = (m: ModelInfo) => m.columns.get(m.keyFields[0]) ?? m.keyFields[0];
    relationSamples.push({ table: r.table, a: { table: a.table, keyColumn: keyColumn(a) }, b: { table: b.table, keyColumn: keyColumn(b) } });
  }
  mkdirSync(options.workDir, { recursive: true });
  const samplePath = join(options.workDir, "readback-sample.db");
  let sampleFailed: ReadonlyMap<string, string>;
  let owners: ReadonlyMap<string, readonly unknown[]>;
  let viewSamples: ReadonlyMap<string, { readonly rows: number; readonly total: number }>;
  try {
    ({ failed: sampleFailed, owners, views: viewSamples } = buildReadBackSample({
      source: options.snapshot.db,
      schemaClonePath: options.snapshot.schemaClonePath,
      samplePath,
      tables,
      relations: relationSamples,
      views: views.map(({ info, view }) => ({ view, pgName: info.pgName, columns: [...info.columns.values()] })),
      sampleSize,
    }));
  } catch (err) {
    return done({ status: "unavailable", models: [], detail: `cannot copy the sample rows from the snapshot: ${firstLine(err)}` });
  }
  let generated: [GeneratedClient, GeneratedClient];
  let pgAdapter: object;
  try {
    await yieldToEventLoop();
    const sqliteGen = readBackClient(sqliteSchema);
    await yieldToEventLoop();
    generated = [sqliteGen, readBackClient(schemas.postgresql)];
  } catch (err) {
    return done({ status: "unavailable", models: [], detail: `no Prisma Client for the schema: ${firstLine(err)}` });
  }
  try {
    pgAdapter = await target.prismaAdapter(options.pgSchema, options.client);
  } catch (err) {
    return done({ status: "unavailable", models: [], detail: `no Prisma driver adapter for the target: ${firstLine(err)}` });
  }
  const [sqliteGen, pgGen] = generated;
  // Loaded here, not with the module: a run with `--verify counts` never reads back.
  const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
  const sqliteClient = new sqliteGen.PrismaClient({
    // Reading needs no timestampFormat: the adapter reads integer (ms) and ISO-text DateTimes alike; the option
    // only decides how DateTimes are written. The sample holds the snapshot's rows (readback-sample.ts).
    adapter: new PrismaBetterSQLite3({ url: `file:${samplePath}`, readonly: true, fileMustExist: true }),
  }) as Client;
  const pgClient = new pgGen.PrismaClient({ adapter: pgAdapter }) as Client;
  let disposed: Promise<void> | undefined;
  const dispose = (): Promise<void> =>
    (disposed ??= Promise.all([sqliteClient.$disconnect().catch(() => undefined), pgClient.$disconnect().catch(() => undefined)]).then(() => undefined));
  // SQLite's side of each model needs nothing from PostgreSQL: read now, a few models at a time.
  const sqliteReads = new Map<string, Promise<SqliteRead>>();
  // The models compareModel reads (the others it reports without reading).
  const readable = [...pgModels].filter(([name, pgModel]) => {
    const m = sqliteModels.get(name);
    return m !== undefined && !m.ignored && !pgModel.ignored && m.keyFields.length > 0 && !sampleFailed.has(m.table) && delegateOf(sqliteClient, name) !== undefined;
  });
  await mapConcurrently(readable, READ_CONCURRENCY, async ([name]) => {
    const read = readSqliteSample(delegateOf(sqliteClient, name)!, sqliteModels.get(name)!.keyFields, sampleSize);
    sqliteReads.set(name, read);
    await read;
  });
  return { started, schemas, sqliteModels, pgModels, relations, views, sampleFailed, owners, viewSamples, generated, sqliteClient, pgClient, sqliteReads, dispose };
}

/** The reads and comparisons, once PostgreSQL holds the data (committed, or on the run's own connection). */
export async function readPreparedBack(prepared: PreparedReadBack, options: ReadBackOptions): Promise<ReadBackResult> {
  const { started, schemas, sqliteModels, pgModels, relations, views, sampleFailed, owners, viewSamples, generated, sqliteClient, pgClient, sqliteReads } = prepared;
  const done = (r: Omit<ReadBackResult, "ms">): ReadBackResult => ({ ...r, ms: performance.now() - started });
  const sample = schemas.sample ? { sample: schemas.sample } : {};
  const sampleSize = options.sampleSize ?? DEFAULT_SAMPLE;
  const [sqliteGen, pgGen] = generated;
  try {
    // A few models at a time: each read waits on PostgreSQL (the adapter's pool has two connections).
    const models: ReadBackModel[] = await mapConcurrently([...pgModels], READ_CONCURRENCY, ([name, pgModel]) =>
      compareModel({
        name,
        sqliteModel: sqliteModels.get(name),
        pgModel,
        sqliteClient,
        pgClient,
        sqliteFields: fieldTypes(sqliteGen, name),
        pgFields: fieldTypes(pgGen, name),
        sampleFailure: sampleFailed.get(sqliteModels.get(name)?.table ?? ""),
        sqliteRead: sqliteReads.get(name),
        sampleSize,
        options,
      }),
    );
    for (const relation of relations) {
      const linked = [relation.table, sqliteModels.get(relation.modelA)?.table, sqliteModels.get(relation.modelB)?.table];
      models.push(
        await compareRelation({
          relation,
          sqliteModels,
          pgModels,
          sqliteDelegate: (m) => delegateOf(sqliteClient, m),
          pgDelegate: (m) => delegateOf(pgClient, m),
          sqliteFields: (m) => fieldTypes(sqliteGen, m),
          pgFields: (m) => fieldTypes(pgGen, m),
          owners: owners.get(relation.table),
          sampleFailure: sampleFailed.get(relation.table),
          leftOutOnPurpose: linked.some((t) => t !== undefined && options.changedOnPurpose?.get(t)?.leftOut === true),
          maxDifferences: options.maxDifferences ?? 20,
        }),
      );
    }
    for (const { info } of views) {
      models.push(
        await compareView({
          info,
          sqliteDelegate: delegateOf(sqliteClient, info.view),
          pgDelegate: delegateOf(pgClient, info.view),
          sqliteFields: fieldTypes(sqliteGen, info.view),
          pgFields: fieldTypes(pgGen, info.view),
          sampled: viewSamples.get(info.pgName),
          sampleFailure: sampleFailed.get(`view ${info.pgName}`),
          decoded: [...(options.changedOnPurpose?.values() ?? [])].some((c) => (c.decoded?.size ?? 0) > 0),
          rowsChanged: [...(options.changedOnPurpose?.values() ?? [])].some((c) => c.leftOut || c.nullified.size > 0),
          maxDifferences: options.maxDifferences ?? 20,
          firstLine,
        }),
      );
    }
    const ordered = models.flatMap((m) => {
      const pgModel = pgModels.get(m.model);
      const field = pgModel?.orderedField;
      const [sqliteDelegate, pgDelegate] = [delegateOf(sqliteClient, m.model), delegateOf(pgClient, m.model)];
      // Only models whose rows were read on both sides, on a field both clients read as String.
      if (m.status !== "compared" || m.relation !== undefined || m.view !== undefined || field === undefined || !sqliteDelegate || !pgDelegate) return [];
      if (fieldTypes(sqliteGen, m.model).get(field) !== "String" || fieldTypes(pgGen, m.model).get(field) !== "String") return [];
      return [{ model: m.model, field, sqliteDelegate, pgDelegate }];
    });
    const orderedReads: OrderedRead[] = await mapConcurrently(ordered, READ_CONCURRENCY, (o) => orderedRead({ ...o, take: sampleSize, firstLine }));
    const different = models.some((m) => m.status === "failed" || m.differences.length > 0);
    return done({ status: different ? "different" : "same", models, ...sample, orderedReads });
  } finally {
    await prepared.dispose();
  }
}

/** Scalar and enum fields of a model as the client knows them (enums are read as text). */
function fieldTypes(client: GeneratedClient, model: string): Map<string, string> {
  const m = client.Prisma.dmmf.datamodel.models.find((x) => x.name === model);
  return new Map((m?.fields ?? []).filter((f) => f.kind === "scalar" || f.kind === "enum").map((f) => [f.name, f.kind === "enum" ? "String" : f.type]));
}

/** Prisma Client's delegate property for a model: the name with its first letter lowercased. */
function delegateOf(client: Client, model: string): ModelDelegate | undefined {
  return client[model.charAt(0).toLowerCase() + model.slice(1)] as ModelDelegate | undefined;
}

interface ModelInput {
  readonly name: string;
  readonly sqliteModel: ModelInfo | undefined;
  readonly pgModel: ModelInfo;
  readonly sqliteClient: Client;
  readonly pgClient: Client;
  readonly sqliteFields: ReadonlyMap<string, string>;
  readonly pgFields: ReadonlyMap<string, string>;
  /** Why the model's rows could not be copied from the snapshot into the sample. */
  readonly sampleFailure: string | undefined;
  /** The model's sample as read from SQLite while the read-back was prepared; absent: read it now. */
  readonly sqliteRead?: Promise<SqliteRead>;
  readonly sampleSize: number;
  readonly options: ReadBackOptions;
}

async function compareModel(input: ModelInput): Promise<ReadBackModel> {
  const { name, sqliteModel, pgModel, options } = input;
  const notCompared = (reason: string): ReadBackModel => ({ model: name, status: "not-compared", rows: 0, reason, differences: [], fieldsNotCompared: [] });
  // Both schemas come from one conversion, under the same names (naming is applied to both): a model missing on the
  // SQLite side means the comparison itself went wrong, which must fail the check rather than pass it unread.
  if (!sqliteModel) return { model: name, status: "failed", rows: 0, reason: "no model of this name in the SQLite schema: nothing of it could be compared", differences: [], fieldsNotCompared: [] };
  if (sqliteModel.ignored || pgModel.ignored) return notCompared(`@@ignore in the ${sqliteModel.ignored ? "SQLite" : "PostgreSQL"} schema: Prisma Client cannot read it`);
  const keys = sqliteModel.keyFields;
  if (keys.length === 0) return notCompared("no @id or @unique: rows cannot be matched");
  if (input.sampleFailure !== undefined) return notCompared(`its rows could not be copied from the snapshot: ${input.sampleFailure.slice(0, 300)}`);
  const sqliteDelegate = delegateOf(input.sqliteClient, name);
  const pgDelegate = delegateOf(input.pgClient, name);
  if (!sqliteDelegate || !pgDelegate) return notCompared("no Prisma Client delegate");

  // What each field's values are compared by; fields one side cannot read are listed, not compared.
  const fieldsNotCompared: { field: string; reason: string }[] = [];
  const comparisons = new Map<string, Extract<Comparison, { comparable: true }>>();
  for (const [field, pgType] of input.pgFields) {
    const sqliteType = input.sqliteFields.get(field);
    if (sqliteType === undefined) {
      fieldsNotCompared.push({ field, reason: "not readable through Prisma on SQLite (Unsupported or absent there)" });
      continue;
    }
    const column = sqliteModel.columns.get(field) ?? field;
    const c = comparisonFor({ sqlite: sqliteType, postgres: pgType, epochSeconds: options.epochSecondsColumns?.has(`${sqliteModel.table}.${column}`) });
    if (c.comparable) comparisons.set(field, c);
    else fieldsNotCompared.push({ field, reason: c.reason });
  }
  if (keys.some((k) => !comparisons.has(k))) return { ...notCompared("its key fields cannot be compared"), fieldsNotCompared };

  const read = await (input.sqliteRead ?? readSqliteSample(sqliteDelegate, keys, input.sampleSize));
  // The app could not read these rows on SQLite either (e.g. a BOOLEAN holding 2, an Int beyond 2^53).
  if ("error" in read) return { ...notCompared(`Prisma Client cannot read it from SQLite: ${firstLine(read.error)}`), fieldsNotCompared };
  const sqliteRows = read.rows;
  // A NULL in a unique key matches nothing: such rows are not sampled.
  const sample = sqliteRows.filter((r) => keys.every((k) => r[k] !== null && r[k] !== undefined));
  const toTarget = (row: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, comparisons.get(k)!.toTarget(row[k])]));
  let pgRows: Record<string, unknown>[];
  try {
    pgRows =
      sample.length === 0
        ? []
        : await pgDelegate.findMany({ where: keys.length === 1 ? { [keys[0]]: { in: sample.map((r) => toTarget(r)[keys[0]]) } } : { OR: sample.map(toTarget) } });
  } catch (err) {
    return { model: name, status: "failed", rows: 0, reason: `Prisma Client cannot read it from PostgreSQL: ${firstLine(err)}`, differences: [], fieldsNotCompared };
  }

  const differences: ReadBackDifference[] = [];
  const max = options.maxDifferences ?? 20;
  const add = (d: Omit<ReadBackDifference, "model">) => {
    if (differences.length < max) differences.push({ model: name, ...d });
  };
  const onPurpose = options.changedOnPurpose?.get(sqliteModel.table);
  const unreadable = new Map<string, number>();
  let leftOut = 0;
  for (const row of sample) {
    const key = keys.map((k) => `${k}=${excerpt(row[k], 40)}`).join(", ");
    const match = pgRows.find((p) => keys.every((k) => comparisons.get(k)!.same(row[k], p[k])));
    if (!match) {
      if (onPurpose?.leftOut) leftOut++;
      else add({ key, field: "(row)", sqlite: "present", postgres: "missing" });
      continue;
    }
    for (const [field, c] of comparisons) {
      if (c.same(row[field], match[field])) continue;
      if (match[field] === null && onPurpose?.nullified.has(sqliteModel.columns.get(field) ?? field)) continue;
      if (onPurpose?.decoded?.has(sqliteModel.columns.get(field) ?? field) && sameOutsideInvalidBytes(row[field], match[field])) continue;
      if (unreadableOnSqlite(row[field], match[field])) {
        unreadable.set(field, (unreadable.get(field) ?? 0) + 1);
        continue;
      }
      add({ key, field, sqlite: excerpt(row[field]), postgres: excerpt(match[field]) });
    }
  }
  const notes = [...unreadable].map(
    ([field, n]) => `${name}.${field}: Prisma Client on SQLite reads ${n} value(s) as Invalid Date (DATETIME text it does not parse, e.g. without seconds); PostgreSQL reads a valid timestamp, checked by the copy's verification`,
  );
  return { model: name, status: "compared", rows: sample.length - leftOut, ...(leftOut > 0 ? { leftOut } : {}), differences, fieldsNotCompared, ...(notes.length > 0 ? { notes } : {}) };
}

/** The line of an error that says what went wrong (the Prisma CLI prints banners before it). */
function firstLine(err: unknown): string {
  const text = redact(err instanceof Error ? err.message : String(err));
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^(prisma |Loaded Prisma config|Prisma config detected|Prisma schema loaded)/.test(l));
  return (lines.find((l) => /^error:/.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? lines[0] ?? text).slice(0, 300);
}
