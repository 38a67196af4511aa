// Many tables (issue 16 item 11): `npm run bench -- --suite many-tables [--counts 500,1000,2000] [--pg-url …]`.
//
// A generated SQLite file with N tables (each: an INTEGER PRIMARY KEY, a UNIQUE text column, a foreign key to the
// table before it, an index, 5 rows) is migrated with `sqlite2pg migrate` on the server's default settings, for
// each N. Per run: wall time, and peak RSS of each process of the run's tree, polled from /proc every 50 ms
// (VmHWM, the process's own high-water mark): the sqlite2pg process itself (Prisma's engines run in it, in worker
// threads), and any child it spawns, reported separately, never summed. GNU time's %M would give only the largest
// of them, without saying which.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import Database from "better-sqlite3";
import { recreateDatabase, dropDatabase, withDatabase, withClient, quoteIdent } from "./pg.js";

export const MANY_TABLES_ROWS = 5;

export function generateManyTables(file, n) {
  if (fs.existsSync(file)) return;
  const tmp = `${file}.tmp`;
  fs.rmSync(tmp, { force: true });
  const db = new Database(tmp);
  db.exec("BEGIN");
  for (let i = 0; i < n; i++) {
    const parent = i === 0 ? "" : `, parent_id INTEGER REFERENCES t${i - 1}(id)`;
    db.exec(`CREATE TABLE t${i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created DATETIME, score REAL${parent})`);
    db.exec(`CREATE INDEX t${i}_created ON t${i}(created)`);
    const insert = db.prepare(`INSERT INTO t${i} (id, name, created, score${i === 0 ? "" : ", parent_id"}) VALUES (?, ?, ?, ?${i === 0 ? "" : ", ?"})`);
    for (let r = 1; r <= MANY_TABLES_ROWS; r++) {
      const values = [r, `row ${r} of t${i}`, `2024-01-0${r} 10:00:00`, r / 4];
      insert.run(...(i === 0 ? values : [...values, r]));
    }
  }
  db.exec("COMMIT");
  db.close();
  fs.renameSync(tmp, file);
}

/** Every descendant of `root` (by /proc/<pid>/stat's ppid), with its command line. */
function processTree(root) {
  const parent = new Map();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* gone */
    }
  }
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter(inTree);
}

function role(cmdline) {
  if (/bin\/sqlite2pg\.js/.test(cmdline)) return "sqlite2pg";
  const prisma = /prisma\S*\s+(\S+)(?:\s+(\S+))?/.exec(cmdline.replace(/\0/g, " "));
  if (/prisma/.test(cmdline) && prisma) return `prisma ${prisma[1]}${prisma[2] && !prisma[2].startsWith("-") ? ` ${prisma[2]}` : ""}`;
  return cmdline.replace(/\0/g, " ").slice(0, 60);
}

/** Run a command; poll VmHWM of every process in its tree; resolve with wall time and per-role peaks (MB). */
export function runPolled(cmd, args, { stdoutFile, stderrFile, cwd, env }) {
  const out = fs.openSync(stdoutFile, "w");
  const err = fs.openSync(stderrFile, "w");
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", out, err] });
  const peaks = new Map(); // pid → { role, kb }
  let concurrentKb = 0;
  const poll = () => {
    let sum = 0;
    for (const pid of new Set([child.pid, ...processTree(child.pid)])) {
      try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        sum += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        const known = peaks.get(pid) ?? { role: role(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")), kb: 0 };
        known.kb = Math.max(known.kb, hwm);
        peaks.set(pid, known);
      } catch {
        /* exited between the listing and the read */
      }
    }
    concurrentKb = Math.max(concurrentKb, sum);
  };
  const timer = setInterval(poll, 50);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      fs.closeSync(out);
      fs.closeSync(err);
      const byRole = {};
      for (const { role: r, kb } of peaks.values()) byRole[r] = Math.max(byRole[r] ?? 0, Math.round(kb / 1024));
      resolve({ code, signal, wallSec: Number(process.hrtime.bigint() - t0) / 1e9, peakMbByRole: byRole, concurrentPeakMb: Math.round(concurrentKb / 1024) });
    });
  });
}

async function countRows(url, n) {
  return withClient(url, async (c) => {
    let total = 0;
    for (let i = 0; i < n; i += 500) {
      const parts = [];
      for (let j = i; j < Math.min(n, i + 500); j++) parts.push(`(SELECT count(*) FROM public.${quoteIdent(`t${j}`)})`);
      total += Number((await c.query(`SELECT ${parts.join(" + ")} AS n`)).rows[0].n);
    }
    return total;
  });
}

export async function runManyTables({ root, dataDir, pgUrl, counts, log }) {
  const results = [];
  for (const n of counts) {
    const file = path.join(dataDir, `many-tables-${n}.db`);
    generateManyTables(file, n);
    const db = `bench_many_tables_${n}`;
    const url = withDatabase(pgUrl, db);
    await recreateDatabase(pgUrl, db);
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite2pg-bench-many-"));
    const report = path.join(outDir, "report.json");
    const stdoutFile = path.join(dataDir, `many-tables-${n}.stdout.log`);
    const stderrFile = path.join(dataDir, `many-tables-${n}.stderr.log`);
    log(`\n== many tables: ${n}`);
    const m = await runPolled(process.execPath, [path.join(root, "bin", "sqlite2pg.js"), "migrate", file, "--to", url, "--out", outDir, "--yes", "--report", report], {
      stdoutFile,
      stderrFile,
      cwd: root,
      env: process.env,
    });
    const summary = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, "utf8")) : null;
    const rows = m.code === 0 ? await countRows(url, n).catch(() => null) : null;
    const r = {
      tables: n,
      ok: m.code === 0 && rows === n * MANY_TABLES_ROWS && summary?.drift?.status === "no-drift",
      exit: m.code ?? m.signal,
      wallSec: m.wallSec,
      ownPeakMb: m.peakMbByRole.sqlite2pg ?? null,
      childPeakMb: Object.fromEntries(Object.entries(m.peakMbByRole).filter(([k]) => k !== "sqlite2pg")),
      concurrentPeakMb: m.concurrentPeakMb,
      rows,
      drift: summary?.drift?.status ?? null,
      driftShadow: summary?.drift?.shadow ?? null,
      stages: (summary?.stages ?? []).filter((s) => s.ms > 500).map((s) => `${s.stage}: ${s.step} ${(s.ms / 1000).toFixed(1)} s`),
    };
    if (m.code !== 0) r.errorTail = fs.readFileSync(stderrFile, "utf8").split("\n").slice(-8).join("\n");
    results.push(r);
    log(`  ${r.ok ? "ok" : "FAILED"}: wall ${r.wallSec.toFixed(1)} s, sqlite2pg peak RSS ${r.ownPeakMb} MB, children ${JSON.stringify(r.childPeakMb)}, rows ${rows}, drift ${r.drift} (${r.driftShadow})`);
    for (const s of r.stages) log(`    ${s}`);
    if (r.errorTail) log(r.errorTail);
    await dropDatabase(pgUrl, db).catch(() => {});
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  return results;
}

export function manyTablesMarkdown(results, context) {
  const lines = [
    `\n## Many tables (${context.date.slice(0, 10)}, \`${context.command}\`)\n`,
    `Machine: ${context.machine}. PostgreSQL ${context.postgres} with its default settings (max_locks_per_transaction ${context.locks}, max_connections ${context.connections}). Each table: INTEGER PRIMARY KEY, a UNIQUE text column, a foreign key to the previous table, one index, ${MANY_TABLES_ROWS} rows. Peak RSS per process (VmHWM polled every 50 ms): "sqlite2pg" is the CLI's own Node process, Prisma's engines included (worker threads); child processes, if any, are listed apart; "together" is the largest sum of the tree's RSS seen at one poll.\n`,
    "| tables | wall s | s per 1000 tables | sqlite2pg peak RSS MB | children peak RSS MB | together MB | rows | drift check |",
    "| ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |",
  ];
  for (const r of results) {
    const kids = Object.entries(r.childPeakMb).map(([k, v]) => `${k}: ${v}`).join("; ");
    lines.push(`| ${r.tables} | ${r.wallSec.toFixed(1)} | ${((r.wallSec / r.tables) * 1000).toFixed(1)} | ${r.ownPeakMb ?? "?"} | ${kids} | ${r.concurrentPeakMb} | ${r.rows ?? "-"} | ${r.drift ?? "-"}${r.driftShadow ? ` (${r.driftShadow})` : ""}${r.ok ? "" : " FAILED"} |`);
  }
  return lines.join("\n") + "\n";
}

/** The suite as `npm run bench -- --suite many-tables` runs it: results.json-like file and a docs section. */
export async function runManyTablesSuite(o) {
  const counts = o.counts ?? [500, 1000, 2000];
  const settings = await withClient(o.pgUrl, async (c) => {
    const { rows } = await c.query("SELECT name, setting FROM pg_settings WHERE name IN ('max_locks_per_transaction', 'max_connections', 'server_version')");
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  });
  const results = await runManyTables({ root: o.root, dataDir: o.dataDir, pgUrl: o.pgUrl, counts, log: o.log });
  const context = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: `${o.machine.nproc} CPU (${o.machine.cpu}), ${o.machine.ramGb} GB RAM, Node ${o.machine.node}, load at start ${o.machine.loadAvgAtStart.join(" ")}`,
    postgres: settings.server_version,
    locks: settings.max_locks_per_transaction,
    connections: settings.max_connections,
  };
  const md = manyTablesMarkdown(results, context);
  o.log(md);
  fs.writeFileSync(path.join(o.dataDir, "many-tables-results.json"), JSON.stringify({ ...context, results }, null, 2) + "\n");
  if (o.docs) fs.appendFileSync(path.join(o.root, "docs", "benchmarks.md"), md);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}
