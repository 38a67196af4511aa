// The cutover catch-up (issue 20): `npm run bench -- --suite sync [--scale 1] [--pg-url …] [--no-docs]`.
//
// The generated blog database (bench-data/blog-scale<S>.db, scripts/gen-blog-db.js) is copied, migrated with
// `sqlite2pg migrate` (as shipped: --verify full), then synced three times, each run measured (wall time, peak
// RSS): with nothing changed; after ~1% of the rows of every table changed (updates, deletes, inserts, spread
// evenly over the keys); and with nothing changed again. Ratios are to migrate's wall time in the same run. Then
// `sqlite2pg verify` proves PostgreSQL equals the changed file. Goals (issue 20): sync ≤ 0.3 × migrate with 1%
// changed, ≤ 0.2 × with nothing changed, peak RSS ≤ 256 MB.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { runMeasured, tail } from "./run.js";
import { recreateDatabase, dropDatabase, withDatabase, checkpoint, serverInfo } from "./pg.js";

/**
 * About 1% of each table's rows: 0.5% updated, 0.2% deleted, 0.3% inserted, picked by key modulo (spread over the
 * whole key range, so most ranges change: the hard case for range digests). Foreign keys on, as an app has them.
 */
export function changeOnePercent(file) {
  const d = new Database(file);
  try {
    d.pragma("foreign_keys = ON");
    d.exec(`
      BEGIN;
      UPDATE users SET name = coalesce(name, '') || ' (edited)' WHERE id % 200 = 7;
      INSERT INTO users (email, name, is_admin, created_at, balance)
        SELECT 'new-' || id || '@bench.example', name, is_admin, created_at, balance FROM users WHERE id % 333 = 5;
      UPDATE posts SET score = coalesce(score, 0) + 1, title = substr(title, 1, 150) || '!' WHERE id % 200 = 7;
      INSERT INTO posts (user_id, title, body, published, published_at, score, metadata)
        SELECT user_id, substr(title, 1, 150) || ' (copy)', body, published, published_at, score, metadata FROM posts WHERE id % 333 = 5;
      DELETE FROM post_tags WHERE (post_id * 7 + tag_id) % 500 = 11;
      INSERT OR IGNORE INTO post_tags (post_id, tag_id) SELECT id, 1 + (id % (SELECT max(id) FROM tags)) FROM posts WHERE id % 333 = 6;
      UPDATE comments SET upvotes = upvotes + 1 WHERE id % 200 = 7;
      DELETE FROM comments WHERE id % 500 = 11;
      INSERT INTO comments (post_id, user_id, body, created_at, upvotes)
        SELECT post_id, user_id, body || ' +1', created_at, 0 FROM comments WHERE id % 333 = 5;
      UPDATE events SET kind = 'edited' WHERE id % 200 = 7;
      DELETE FROM events WHERE id % 500 = 11;
      INSERT INTO events (id, user_id, kind, payload, occurred_at, ip)
        SELECT id + 10000000, user_id, kind, payload, occurred_at, ip FROM events WHERE id % 333 = 5;
      UPDATE tags SET name = name || '*' WHERE id % 200 = 7;
      COMMIT;
    `);
    return d.prepare("SELECT total_changes() AS n").get().n;
  } finally {
    d.close();
  }
}

export async function runSyncSuite(o) {
  const { root, dataDir, dbFile, log, machine } = o;
  const work = path.join(dataDir, "sync-work.db");
  fs.copyFileSync(dbFile, work);
  const dbName = "bench_sync";
  const url = withDatabase(o.pgUrl, dbName);
  const bin = path.join(root, "bin", "sqlite2pg.js");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite2pg-bench-sync-"));
  const server = await serverInfo(o.pgUrl);
  const steps = [];
  const step = async (name, args) => {
    const stdoutFile = path.join(dataDir, `sync-${name}.stdout.log`);
    const stderrFile = path.join(dataDir, `sync-${name}.stderr.log`);
    await checkpoint(o.pgUrl);
    const m = await runMeasured(process.execPath, [bin, ...args], { stdoutFile, stderrFile, cwd: root, timeoutSec: o.timeout });
    const r = { step: name, ok: m.code === 0 && !m.timedOut, wallSec: m.wallSec, peakRssMb: m.peakRssKb !== null ? m.peakRssKb / 1024 : null };
    if (!r.ok) r.error = tail(stderrFile, 12) || tail(stdoutFile, 12);
    if (name.startsWith("sync") && r.ok) r.totals = JSON.parse(fs.readFileSync(stdoutFile, "utf8")).totals;
    steps.push(r);
    log(`  ${name}: ${r.ok ? "ok" : "FAILED"}, wall ${r.wallSec.toFixed(1)} s, peak RSS ${r.peakRssMb?.toFixed(0) ?? "?"} MB${r.totals ? `, ${JSON.stringify(r.totals)}` : ""}`);
    if (!r.ok) log(r.error);
    return r;
  };
  try {
    await recreateDatabase(o.pgUrl, dbName);
    const migrate = await step("migrate", ["migrate", work, "--to", url, "--out", out, "--yes", "--quiet", "--sync-state"]);
    if (migrate.ok) {
      await step("sync-unchanged", ["sync", work, "--to", url, "--yes", "--json"]);
      const changed = changeOnePercent(work);
      const rows = new Database(work, { readonly: true });
      const total = ["users", "tags", "posts", "post_tags", "comments", "events"].reduce((n, t) => n + rows.prepare(`SELECT count(*) AS n FROM ${t}`).get().n, 0);
      rows.close();
      log(`  changed ${changed} rows of ${total} (${((100 * changed) / total).toFixed(2)} %)`);
      steps.changed = { rows: changed, of: total };
      await step("sync-1pct", ["sync", work, "--to", url, "--yes", "--json"]);
      await step("sync-unchanged-again", ["sync", work, "--to", url, "--yes", "--json"]);
      await step("verify", ["verify", work, "--to", url, "--quiet"]);
    }
  } finally {
    if (!o.keep) await dropDatabase(o.pgUrl, dbName).catch(() => {});
    fs.rmSync(out, { recursive: true, force: true });
    if (!o.keep) fs.rmSync(work, { force: true });
  }
  const migrateSec = steps.find((s) => s.step === "migrate")?.wallSec ?? null;
  for (const s of steps) s.vsMigrate = migrateSec && s.ok ? s.wallSec / migrateSec : null;
  const table = [
    "| step | wall (s) | × migrate | peak RSS (MB) | inserted / updated / deleted |",
    "| --- | ---: | ---: | ---: | --- |",
    ...steps.map(
      (s) =>
        `| ${s.step}${s.ok ? "" : " (FAILED)"} | ${s.wallSec.toFixed(1)} | ${s.vsMigrate === null ? "" : s.vsMigrate.toFixed(2)} | ${s.peakRssMb?.toFixed(0) ?? ""} | ${s.totals ? `${s.totals.inserted} / ${s.totals.updated} / ${s.totals.deleted}` : ""} |`,
    ),
  ].join("\n");
  log("\n" + table);
  const report = { date: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(), machine, postgres: server, source: path.relative(root, dbFile), changed: steps.changed, steps };
  fs.writeFileSync(path.join(dataDir, "sync-results.json"), JSON.stringify(report, null, 2) + "\n");
  if (o.docs) {
    const md = [
      "",
      `## ${report.date.slice(0, 10)} — sync (issue 20), ${path.basename(dbFile)}`,
      "",
      `- Machine: ${machine.nproc} CPU (${machine.cpu}), ${machine.ramGb} GB RAM, Node ${machine.node}; load average at start ${machine.loadAvgAtStart.join(" / ")}`,
      `- PostgreSQL ${server.version}`,
      `- Command: \`${report.command}\``,
      `- Changed: ${steps.changed ? `${steps.changed.rows} of ${steps.changed.of} rows` : "n/a"} (0.5% updated, 0.2% deleted, 0.3% inserted per table, spread over the key range: scripts/bench-lib/sync.js)`,
      "",
      table,
      "",
    ];
    fs.appendFileSync(path.join(root, "docs", "benchmarks.md"), md.join("\n"));
  }
  if (steps.some((s) => !s.ok)) process.exitCode = 1;
}
