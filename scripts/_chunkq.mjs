import Database from "better-sqlite3";
import { sqlChunkReader } from "../dist/copy/sql-chunks.js";
import { loadExtension } from "../dist/db/sqlite-extension.js";
const db = new Database(process.argv[2], { readonly: true });
loadExtension?.(db);
const t = (label, f) => { const s = performance.now(); const r = f(); console.log(label, Math.round(performance.now() - s), "ms", r); };
for (const table of ["comments", "posts", "events", "post_tags"]) {
  t(`${table} count`, () => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  const cols = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all();
  t(`${table} sum lengths`, () => db.prepare(`SELECT sum(${cols.map(c => `length(${c})`).join("+")}) FROM ${table} NOT INDEXED`).pluck().get());
  t(`${table} group_concat raw`, () => db.prepare(`SELECT length(group_concat(${cols.join("||char(9)||")}||char(10), '')) FROM ${table} NOT INDEXED`).pluck().get());
}
