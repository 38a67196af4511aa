/**
 * The Prisma config module every Prisma CLI call of ours runs with (`prisma … --config <this file>`).
 *
 * Prisma 6.19's JS schema engine (WASM) needs no engine download, but it talks to the database only through a
 * driver adapter declared in a config file (https://www.prisma.io/docs/orm/reference/prisma-config-reference).
 * The runner (prisma-cli.ts) passes the adapter kind, its URL and the schema path in environment variables so
 * that URLs never appear on a command line (where `ps` would show a password).
 *
 * Workarounds for @prisma/adapter-pg 6.19.3 under the JS engine (see docs/toolchain.md):
 * - columns of type `name` (OID 19) and `"char"` (OID 18) cannot be deserialized (prisma/prisma#27403):
 *   results are re-labelled as text (OID 25), which is how PostgreSQL itself would cast them;
 * - `connectToShadowDb()` spreads the pool config and overrides `database`; with a `connectionString` the URL
 *   wins and the "shadow" database would be the main database. We always pass discrete fields.
 * - the engine leaves a ~10 s timer behind; long timers are unref'd so the CLI exits when its work is done.
 */
import pg from "pg";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { pgPoolConfig } from "./pg-url.js";

const TEXT_OID = 25;
const UNREADABLE_OIDS = new Set([18, 19]);

function relabelFields(result: unknown): unknown {
  const fields = (result as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
  if (Array.isArray(fields)) {
    for (const f of fields) if (UNREADABLE_OIDS.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
  }
  return result;
}

let patched = false;
function patchPgQuery(): void {
  if (patched) return;
  patched = true;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function patchedQuery(this: unknown, ...args: unknown[]) {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (err: unknown, res: unknown) =>
        (last as (e: unknown, r: unknown) => void)(err, relabelFields(res));
      return original.apply(this, args);
    }
    const out = original.apply(this, args) as { then?: unknown };
    if (out && typeof out.then === "function") return (out as Promise<unknown>).then(relabelFields);
    return out;
  };
}

function unrefLongTimers(): void {
  const original = globalThis.setTimeout;
  const wrapped = ((handler: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
    const t = original(handler, ms, ...rest);
    if (typeof ms === "number" && ms >= 5000) t.unref();
    return t;
  }) as unknown as typeof setTimeout;
  globalThis.setTimeout = Object.assign(wrapped, original);
}

const kind = process.env.SQLITE2PG_ADAPTER ?? "sqlite";
const url = process.env.SQLITE2PG_ADAPTER_URL ?? "";
const schema = process.env.SQLITE2PG_SCHEMA;

unrefLongTimers();

export default {
  experimental: { adapter: true },
  engine: "js",
  schema,
  adapter: async () => {
    if (kind === "pg") {
      patchPgQuery();
      return new PrismaPg({ ...pgPoolConfig(url), allowExitOnIdle: true } as pg.PoolConfig);
    }
    return new PrismaBetterSQLite3({ url: url === "" ? ":memory:" : url });
  },
};
