import Database from "better-sqlite3";
import { sqlChunkReader } from "../dist/copy/sql-chunks.js";
import { loadExtension } from "../dist/db/sqlite-extension.js";
const db = new Database(process.argv[2], { readonly: true });
loadExtension(db);
const tables = {
  comments: [["id", "integer"], ["post_id", "integer"], ["user_id", "integer"], ["body", "text"], ["created_at", "verbatim"], ["upvotes", "integer"]],
  events: [["id", "integer"], ["user_id", "integer"], ["kind", "text"], ["payload", undefined, "json"], ["occurred_at", "verbatim"], ["ip", "text"]],
  events_nojs: [["id", "integer"], ["user_id", "integer"], ["kind", "text"], ["payload", "text"], ["occurred_at", "verbatim"], ["ip", "text"]],
};
for (const [name, cols] of Object.entries(tables)) {
  const table = name.replace("_nojs", "");
  const columns = cols.map(([n, s, kind]) => ({ name: n, sqlSpelling: s, kind: kind ?? "text" }));
  const encoders = columns.map(() => (v) => JSON.stringify(v));
  for (let rep = 0; rep < 3; rep++) {
    const r = sqlChunkReader(db, table, columns, "rowid", encoders, 1 << 30);
    const s = performance.now();
    let lo = -(2n ** 63n), n = 0, bytes = 0;
    for (;;) { const c = r.read(lo); if (!c) break; n += c.rows; bytes += c.data?.length ?? 0; lo = c.hi + 1n; }
    console.log(name, n, bytes, Math.round(performance.now() - s), "ms");
  }
}
