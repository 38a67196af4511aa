#!/usr/bin/env node
// Benchmark: sqlite2pg vs pgloader vs the server-side COPY floor, on the generated blog database.
//
//   npm run bench -- --suite many-tables [--counts 500,1000,2000]   (scripts/bench-lib/many-tables.js)
//   npm run bench [-- --suite small|big-cells|many-tables] [--scale 1] [--keep] [--only sqlite2pg,pgloader,copy-limit,copy-limit-2conn]
//                 [--pg-url postgres://postgres@127.0.0.1:5432/postgres] [--timeout 3600] [--no-docs]
//   npm run bench -- --suite big-cells   (one huge TEXT/BLOB cell: peak RSS and exactness, scripts/bench-lib/big-cells.js)
//   npm run bench -- --suite sync [--scale 1]   (migrate, then sync with nothing / ~1% changed: scripts/bench-lib/sync.js)
//
// (a) generates bench-data/blog-scale<S>.db if absent (scripts/gen-blog-db.js);
// (b) reads the file once (OS cache); per contender: fresh database (DROP … WITH (FORCE); CREATE) and a CHECKPOINT,
//     run, measure wall time and peak RSS,
//     then check the row counts in the target against the source;
// (c) prints a table, writes bench-data/results.json, appends a section to docs/benchmarks.md.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { generate } from "./gen-blog-db.js";
import { runMeasured, tail, hasGnuTime } from "./bench-lib/run.js";
import {
  withDatabase,
  recreateDatabase,
  dropDatabase,
  checkpoint,
  serverInfo,
  countTargetRows,
  columnTypes,
} from "./bench-lib/pg.js";
import { describeSource, exportCopyFiles, runCopyLimit } from "./bench-lib/copy-limit.js";
import { sourceSpotValues, targetSpotChecks } from "./bench-lib/spot-check.js";
import { bigCellsTable, runBigCells } from "./bench-lib/big-cells.js";
import { runManyTablesSuite } from "./bench-lib/many-tables.js";
import { runSyncSuite } from "./bench-lib/sync.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DATA = path.join(ROOT, "bench-data");
// sqlite2pg runs twice: as shipped (--verify=full: every row compared after the copy) and with --verify=counts,
// the closest to what pgloader does (it verifies nothing).
// sqlite2pg-deep: --verify=deep, the independent check (pg's parsers against SQLite, by meaning) on every row.
const ALL = ["sqlite2pg", "sqlite2pg-jobs1", "sqlite2pg-counts", "sqlite2pg-deep", "pgloader", "copy-limit", "copy-limit-2conn"];
const log = (...a) => console.log(...a);

function parseArgs(argv) {
  const o = {
    scale: 1,
    keep: false,
    only: ALL,
    pgUrl: process.env.BENCH_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    timeout: 3600,
    docs: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].includes("=") ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    const val = () => (inline !== undefined ? inline : argv[++i]);
    if (k === "--scale") o.scale = Number(val());
    else if (k === "--keep") o.keep = true;
    else if (k === "--only") o.only = val().split(",").map((s) => s.trim()).filter(Boolean);
    else if (k === "--pg-url") o.pgUrl = val();
    else if (k === "--timeout") o.timeout = Number(val());
    else if (k === "--no-docs") o.docs = false;
    else if (k === "--suite") o.suite = val();
    else if (k === "--rounds") o.rounds = Number(val());
    else if (k === "--file") o.file = val();
    else if (k === "--counts") o.counts = val().split(",").map(Number);
    else if (k === "-h" || k === "--help") o.help = true;
    else throw new Error(`unknown argument: ${argv[i]}`);
  }
  if (!Number.isFinite(o.scale) || o.scale <= 0) throw new Error("--scale must be a positive number");
  for (const c of o.only) if (!ALL.includes(c)) throw new Error(`unknown contender ${c} (known: ${ALL.join(", ")})`);
  return o;
}

function scaleTag(scale) {
  return String(scale).replace(/[^0-9.]/g, "");
}

function machineInfo() {
  let cpu = os.cpus()[0]?.model?.trim() ?? "unknown";
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpu,
    ramGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAvgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function pgloaderVersion() {
  try {
    return execFileSync("pgloader", ["--version"], { encoding: "utf8" }).split("\n")[0].trim();
  } catch {
    return null;
  }
}

function ensurePgloader() {
  if (pgloaderVersion()) return true;
  log("pgloader not found; trying apt-get install -y pgloader …");
  try {
    execFileSync("apt-get", ["install", "-y", "pgloader"], { stdio: "inherit" });
  } catch {
    return false;
  }
  return pgloaderVersion() !== null;
}

/** pgloader's own summary: per-step lines and the total (errors, rows, seconds). */
function parsePgloaderSummary(text) {
  const total = /^\s*Total import time\s+(\S+)\s+(\d+)\s+.*?\s((?:\d+h)?(?:\d+m)?[0-9.]+)s\s*$/m.exec(text);
  const errors = /^\S+\s+(ERROR|FATAL)\s+(.*)$/gm;
  const errs = [];
  for (let m; (m = errors.exec(text)); ) errs.push(m[2].slice(0, 300));
  return {
    totalErrors: total ? (total[1] === "✓" ? 0 : Number(total[1])) : null,
    totalRows: total ? Number(total[2]) : null,
    totalSec: total ? durationSec(total[3]) : null,
    errorLines: errs.slice(0, 20),
  };
}

/** "1h2m3.5" / "1m15.508" / "0.25" → seconds. */
function durationSec(s) {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?([0-9.]+)$/.exec(s);
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]) : null;
}

/** The hook for sqlite2pg's own timing: a "data phase: 12.3 s" line anywhere in its output. */
export function parseDataPhase(text) {
  const m = /data phase: ([0-9.]+) s/i.exec(text);
  return m ? Number(m[1]) : null;
}

function checkRows(source, target) {
  if (!target) return { ok: false, detail: "not checked" };
  const bad = source.filter((t) => target[t.name] !== t.rows);
  if (!bad.length) return { ok: true, detail: "all tables match" };
  return {
    ok: false,
    detail: bad.map((t) => `${t.name}: ${target[t.name] === null ? "missing" : target[t.name]} / ${t.rows}`).join("; "),
  };
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exitCode = 2;
    return;
  }
  if (o.help) {
    console.log(fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 10).join("\n"));
    return;
  }
  fs.mkdirSync(DATA, { recursive: true });
  if (o.suite === "big-cells") return runBigCellsSuite(o);
  if (o.suite === "small") return runSmallSuite(o);
  if (o.suite === "many-tables") return runManyTablesSuite({ ...o, root: ROOT, dataDir: DATA, machine: machineInfo(), log });
  const dbFile = path.join(DATA, `blog-scale${scaleTag(o.scale)}.db`);
  let generation = null;
  if (!fs.existsSync(dbFile)) {
    log(`generating ${path.relative(ROOT, dbFile)} (scale ${o.scale}) …`);
    const g = generate(dbFile, { scale: o.scale, log });
    generation = { seconds: g.seconds, bytes: g.bytes };
  }
  if (o.suite === "sync") return runSyncSuite({ ...o, root: ROOT, dataDir: DATA, dbFile, machine: machineInfo(), log });
  const dbBytes = fs.statSync(dbFile).size;
  // Every contender reads the file from the OS cache: the first one must not be the only one reading the disk.
  await warmFile(dbFile);
  const source = describeSource(dbFile);
  const totalRows = source.reduce((a, t) => a + t.rows, 0);
  const spotSource = sourceSpotValues(dbFile);
  log(`source: ${path.relative(ROOT, dbFile)}, ${(dbBytes / 1048576).toFixed(1)} MB, ${totalRows} rows in ${source.length} tables`);

  const machine = machineInfo();
  const server = await serverInfo(o.pgUrl);
  log(`machine: ${machine.nproc} CPU, ${machine.ramGb} GB RAM; PostgreSQL ${server.version}`);
  if (!hasGnuTime()) log("note: /usr/bin/time not found; peak RSS comes from polling VmHWM of the direct child");

  const results = [];
  const dbNames = {};
  const tag = scaleTag(o.scale).replace(".", "_");

  for (const name of o.only) {
    const dbName = `bench_${name.replace(/-/g, "_")}_s${tag}`;
    dbNames[name] = dbName;
    const url = withDatabase(o.pgUrl, dbName);
    const r = { contender: name, ok: false, wallSec: null, peakRssMb: null, dataPhaseSec: null, notes: [] };
    results.push(r);
    log(`\n== ${name} → ${dbName}`);
    try {
      await recreateDatabase(o.pgUrl, dbName);
      // Every contender starts from a clean checkpoint (the previous one's WAL and dirty pages written out).
      await checkpoint(o.pgUrl);
      if (name === "sqlite2pg") await runSqlite2pg(o, dbFile, url, r, name, []);
      else if (name === "sqlite2pg-jobs1") await runSqlite2pg(o, dbFile, url, r, name, ["--jobs=1"]);
      else if (name === "sqlite2pg-counts") await runSqlite2pg(o, dbFile, url, r, name, ["--verify=counts"]);
      else if (name === "sqlite2pg-deep") await runSqlite2pg(o, dbFile, url, r, name, ["--verify=deep"]);
      else if (name === "pgloader") await runPgloader(o, dbFile, url, r);
      else await runCopy(o, dbFile, url, r, source, name === "copy-limit-2conn" ? 2 : 1);
    } catch (e) {
      r.ok = false;
      r.error = String(e?.message ?? e).split("\n")[0];
      r.stack = String(e?.stack ?? "");
      log(`  FAILED: ${r.error}`);
    }
    if (r.ok) {
      try {
        r.targetRows = await countTargetRows(url, source.map((t) => t.name));
        r.rowCheck = checkRows(source, r.targetRows);
        if (!r.rowCheck.ok) r.notes.push(`row check: ${r.rowCheck.detail}`);
        r.columnTypes = await columnTypes(url);
        r.spotChecks = await targetSpotChecks(url, spotSource);
        for (const c of r.spotChecks.filter((x) => !x.ok)) {
          r.notes.push(`value check ${c.name}: ${c.target ?? c.error} vs source ${c.source}`);
        }
      } catch (e) {
        r.rowCheck = { ok: false, detail: `could not count: ${e.message}` };
      }
    }
    // Checked: the next contender should not share the server's memory with this one's data.
    if (!o.keep) await dropDatabase(o.pgUrl, dbName).catch(() => {});
    log(
      `  ${r.ok ? "ok" : "FAILED"}: wall ${fmt(r.wallSec)} s, peak RSS ${fmt(r.peakRssMb, 0)} MB` +
        (r.rowCheck ? `, rows: ${r.rowCheck.detail}` : "") +
        (r.spotChecks ? `, values: ${r.spotChecks.filter((c) => c.ok).length}/${r.spotChecks.length} spot checks ok` : ""),
    );
  }

  // Ratios.
  const byName = Object.fromEntries(results.map((r) => [r.contender, r]));
  const pgl = byName.pgloader?.ok ? byName.pgloader.wallSec : null;
  const floor = byName["copy-limit"]?.ok ? byName["copy-limit"].wallSec : null;
  for (const r of results) {
    r.rowsPerSec = r.ok && r.wallSec ? Math.round(totalRows / r.wallSec) : null;
    r.vsPgloader = r.ok && pgl ? r.wallSec / pgl : null;
    r.dataPhaseVsCopyLimit = r.dataPhaseSec !== null && floor ? r.dataPhaseSec / floor : null;
  }

  const report = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine,
    postgres: server,
    pgloader: pgloaderVersion(),
    source: { file: path.relative(ROOT, dbFile), bytes: dbBytes, scale: o.scale, totalRows, tables: source.map((t) => ({ name: t.name, rows: t.rows })) },
    generation,
    results,
  };
  const table = markdownTable(results);
  log("\n" + table);
  fs.writeFileSync(path.join(DATA, "results.json"), JSON.stringify(report, null, 2) + "\n");
  log(`\nwrote ${path.relative(ROOT, path.join(DATA, "results.json"))}`);
  if (o.docs) {
    appendDocs(report, table);
    log("appended a section to docs/benchmarks.md");
  }

  cleanupCopyExport(o.keep);
  if (!o.keep) {
    for (const db of Object.values(dbNames)) await dropDatabase(o.pgUrl, db).catch(() => {});
  } else {
    log(`kept databases: ${Object.values(dbNames).join(", ")}`);
  }
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

/**
 * The small case (issue 19): most databases apps move off SQLite are small, so the fixed cost is the whole wait.
 * Chinook (11 tables, 15.6k rows) by default, or --file; contenders alternate for --rounds rounds (default 3) on
 * fresh databases, and the medians are compared side by side: default migrate, --verify counts, pgloader.
 */
async function runSmallSuite(o) {
  const file = o.file ?? path.join(ROOT, "..", "shared", "corpus", "pgloader", "Chinook_Sqlite.sqlite");
  // Copied: the corpus is read-only, and every contender reads the same bytes from the OS cache.
  const dbFile = path.join(DATA, `small-${path.basename(file)}`);
  fs.copyFileSync(file, dbFile);
  await warmFile(dbFile);
  const source = describeSource(dbFile);
  const totalRows = source.reduce((a, t) => a + t.rows, 0);
  const contenders = o.only === ALL ? ["sqlite2pg", "sqlite2pg-counts", "pgloader"] : o.only;
  const rounds = Number.isFinite(o.rounds) && o.rounds > 0 ? o.rounds : 3;
  const machine = machineInfo();
  const server = await serverInfo(o.pgUrl);
  log(`small: ${path.basename(file)}, ${totalRows} rows in ${source.length} tables; ${rounds} rounds of ${contenders.join(", ")}; ${machine.nproc} CPU, PostgreSQL ${server.version}`);
  const runs = Object.fromEntries(contenders.map((c) => [c, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const name of contenders) {
      const dbName = `bench_small_${name.replace(/-/g, "_")}`;
      const url = withDatabase(o.pgUrl, dbName);
      const r = { contender: name, ok: false, wallSec: null, peakRssMb: null, notes: [] };
      await recreateDatabase(o.pgUrl, dbName);
      await checkpoint(o.pgUrl);
      try {
        if (name === "sqlite2pg") await runSqlite2pg(o, dbFile, url, r, name, []);
        else if (name === "sqlite2pg-counts") await runSqlite2pg(o, dbFile, url, r, name, ["--verify=counts"]);
        else if (name === "sqlite2pg-jobs1") await runSqlite2pg(o, dbFile, url, r, name, ["--jobs=1"]);
        else if (name === "pgloader") await runPgloader(o, dbFile, url, r);
        else throw new Error(`contender ${name} is not part of the small suite`);
        const rows = checkRows(source, await countTargetRows(url, source.map((t) => t.name)));
        if (!rows.ok) throw new Error(`row check: ${rows.detail}`);
      } catch (e) {
        r.ok = false;
        r.error = String(e?.message ?? e).split("\n")[0];
      }
      await dropDatabase(o.pgUrl, dbName).catch(() => {});
      log(`  round ${round} ${name}: ${r.ok ? `${fmt(r.wallSec, 2)} s, ${fmt(r.peakRssMb, 0)} MB` : `FAILED ${r.error}`}`);
      runs[name].push(r);
    }
  }
  const median = (xs) => {
    const v = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
    return v.length === 0 ? null : v[Math.floor(v.length / 2)];
  };
  const pgl = median(runs.pgloader?.filter((r) => r.ok).map((r) => r.wallSec) ?? []);
  const rows = contenders.map((name) => {
    const ok = runs[name].filter((r) => r.ok);
    const wall = median(ok.map((r) => r.wallSec));
    // The slowest stages of the median run (from its own stage table), so the next regression shows at once.
    const mid = ok.find((r) => r.wallSec === wall);
    const stages = (mid?.stages ?? [])
      .slice()
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 4)
      .map((s) => `${s.step ?? s.stage} ${(s.ms / 1000).toFixed(2)}`)
      .join("; ");
    return { name, ok: ok.length, wall, rss: median(ok.map((r) => r.peakRssMb)), vs: wall !== null && pgl ? wall / pgl : null, stages };
  });
  const table = [
    "| contender | ok runs | median wall s | median peak RSS MB | vs pgloader | slowest stages of the median run (s) |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.name} | ${r.ok}/${rounds} | ${fmt(r.wall, 2)} | ${fmt(r.rss, 0)} | ${r.vs === null ? "—" : `${r.vs.toFixed(2)}×`} | ${r.stages || "—"} |`),
  ].join("\n");
  log("\n" + table);
  const report = { date: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(), machine, server, file: path.basename(file), totalRows, rounds, rows, runs };
  fs.writeFileSync(path.join(DATA, "small-results.json"), JSON.stringify(report, null, 2) + "\n");
  if (o.docs) {
    const md = ["", `## ${report.date.slice(0, 10)} — ${o.file ? "alternating rounds" : "small database"}: ${report.file} (${totalRows} rows), \`${report.command}\``, "", `- Machine: ${machine.nproc} CPU (${machine.cpu}), ${machine.ramGb} GB RAM, Node ${machine.node}; PostgreSQL ${server.version}; contenders alternate, ${rounds} rounds, medians.`, "", table, ""];
    fs.appendFileSync(path.join(ROOT, "docs", "benchmarks.md"), md.join("\n"));
    log("appended a section to docs/benchmarks.md");
  }
  if (rows.some((r) => r.ok < rounds)) process.exitCode = 1;
}

async function runBigCellsSuite(o) {
  const result = await runBigCells({ root: ROOT, dataDir: DATA, pgUrl: o.pgUrl, timeout: o.timeout, log });
  const report = { date: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(), machine: machineInfo(), ...result };
  const table = bigCellsTable(result);
  log("\n" + table);
  fs.writeFileSync(path.join(DATA, "big-cells-results.json"), JSON.stringify(report, null, 2) + "\n");
  if (o.docs) {
    const m = report.machine;
    const md = ["", `## ${report.date.slice(0, 10)} — big cells (\`${report.command}\`)`, "", `- Machine: ${m.nproc} CPU (${m.cpu}), ${m.ramGb} GB RAM, Node ${m.node}; ${report.sqlite ? `sqlite3 CLI ${report.sqlite.split(" ")[0]}` : ""}`, "", table, ""];
    fs.appendFileSync(path.join(ROOT, "docs", "benchmarks.md"), md.join("\n"));
    log("appended a section to docs/benchmarks.md");
  }
  if (result.files.some((f) => f.runs.some((r) => !r.ok || r.exact === false))) process.exitCode = 1;
}

async function runSqlite2pg(o, dbFile, url, r, name, extra) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite2pg-bench-out-"));
  const stdoutFile = path.join(DATA, `${name}.stdout.log`);
  const stderrFile = path.join(DATA, `${name}.stderr.log`);
  const bin = path.join(ROOT, "bin", "sqlite2pg.js");
  const reportFile = path.join(out, "report.json");
  const args = [bin, "migrate", dbFile, "--to", url, "--out", out, "--yes", "--report", reportFile, ...extra];
  r.command = `node bin/sqlite2pg.js migrate ${path.relative(ROOT, dbFile)} --to ${redact(url)} --out <tmpdir> --yes${extra.length ? ` ${extra.join(" ")}` : ""}`;
  const m = await runMeasured(process.execPath, args, { stdoutFile, stderrFile, cwd: ROOT, timeoutSec: o.timeout });
  Object.assign(r, measured(m));
  r.logs = { stdout: path.relative(ROOT, stdoutFile), stderr: path.relative(ROOT, stderrFile) };
  const text = fs.readFileSync(stdoutFile, "utf8") + "\n" + fs.readFileSync(stderrFile, "utf8");
  r.dataPhaseSec = parseDataPhase(text);
  // The run's own stage table (its report): each step's wall time, and the independent check's share of the run.
  if (fs.existsSync(reportFile)) {
    const summary = JSON.parse(fs.readFileSync(reportFile, "utf8"));
    r.stages = summary.stages ?? null;
    if (summary.independent) {
      r.independent = { mode: summary.independent.mode, rows: summary.independent.rows, sec: summary.independent.ms / 1000 };
      if (r.wallSec) r.independent.shareOfWall = r.independent.sec / r.wallSec;
      log(`  independent check (${summary.independent.mode}): ${summary.independent.rows} rows in ${r.independent.sec.toFixed(2)} s = ${(100 * (r.independent.shareOfWall ?? 0)).toFixed(1)} % of the run`);
    }
  }
  if (m.code !== 0 || m.timedOut) {
    r.ok = false;
    r.error = m.timedOut ? `timed out after ${o.timeout} s` : `exit ${m.code ?? m.signal}`;
    r.errorTail = tail(stderrFile, 12) || tail(stdoutFile, 12);
    log(`  sqlite2pg failed (${r.error}):\n${indent(r.errorTail)}`);
  } else {
    r.ok = true;
  }
  if (!o.keep) fs.rmSync(out, { recursive: true, force: true });
  else r.outDir = out;
}

async function runPgloader(o, dbFile, url, r) {
  if (!ensurePgloader()) throw new Error("pgloader is not installed and apt-get install failed");
  const pgUrl = url.replace(/^postgres:/, "postgresql:");
  // Best settings found on this database: pgloader's defaults exhaust the SBCL heap.
  // sqlite_stat* (written by ANALYZE) are SQLite internals: pgloader would copy them (and fail on stat4).
  const load = `LOAD DATABASE
  FROM sqlite://${path.resolve(dbFile)}
  INTO ${pgUrl}
WITH include drop, create tables, create indexes, reset sequences,
     prefetch rows = 10000, batch rows = 10000, workers = 2, concurrency = 1
EXCLUDING TABLE NAMES LIKE 'sqlite_stat%';
`;
  const loadFile = path.join(DATA, "pgloader.load");
  fs.writeFileSync(loadFile, load);
  r.command = `pgloader ${path.relative(ROOT, loadFile)}`;
  r.settings = "include drop, create tables, create indexes, reset sequences, prefetch rows = 10000, batch rows = 10000, workers = 2, concurrency = 1";
  const stdoutFile = path.join(DATA, "pgloader.stdout.log");
  const stderrFile = path.join(DATA, "pgloader.stderr.log");
  const m = await runMeasured("pgloader", [loadFile], { stdoutFile, stderrFile, cwd: DATA, timeoutSec: o.timeout });
  Object.assign(r, measured(m));
  const text = fs.readFileSync(stdoutFile, "utf8") + "\n" + fs.readFileSync(stderrFile, "utf8");
  r.summary = parsePgloaderSummary(text);
  if (m.code !== 0 || m.timedOut) {
    r.ok = false;
    r.error = m.timedOut ? `timed out after ${o.timeout} s` : `exit ${m.code ?? m.signal}`;
    r.errorTail = tail(stderrFile, 12) || tail(stdoutFile, 12);
    log(`  pgloader failed (${r.error}):\n${indent(r.errorTail)}`);
  } else {
    r.ok = true;
    if (r.summary.totalErrors) r.notes.push(`pgloader reported ${r.summary.totalErrors} error(s)`);
  }
  if (/heap exhausted/i.test(text)) r.notes.push("heap exhausted");
}

async function runCopy(o, dbFile, url, r, source, connections) {
  if (!copyExport) {
    log("  exporting COPY files (not timed) …");
    copyExport = exportCopyFiles(dbFile, source, (s) => log(s));
  }
  const { dir, files } = copyExport;
  r.command = connections === 1 ? "COPY t FROM '/tmp/…' per table, one session" : `COPY t FROM '/tmp/…', ${connections} sessions`;
  try {
    const res = await runCopyLimit(url, source, files, { connections });
    r.ok = true;
    r.wallSec = res.wallSec;
    r.dataPhaseSec = res.wallSec;
    r.perTable = res.perTable;
    r.copyFileBytes = Object.values(files).reduce((a, f) => a + f.bytes, 0);
    r.serverBackendPeakRssMb = res.backendHwmKb !== null ? res.backendHwmKb / 1024 : null;
    r.notes.push("server-side; client RSS not meaningful");
    for (const [t, v] of Object.entries(res.perTable)) log(`  ${t.padEnd(10)} ${v.seconds.toFixed(2)} s`);
  } finally {
    if (o.keep) r.copyDir = dir;
  }
}

/** The COPY files are exported once and shared by the copy-limit contenders; removed at exit unless --keep. */
let copyExport = null;
function cleanupCopyExport(keep) {
  if (copyExport && !keep) fs.rmSync(copyExport.dir, { recursive: true, force: true });
}

function measured(m) {
  return {
    wallSec: m.wallSec,
    peakRssMb: m.peakRssKb !== null ? m.peakRssKb / 1024 : null,
    rssSource: m.rssSource,
    exitCode: m.code,
  };
}

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

const indent = (s) => s.split("\n").map((l) => "    " + l).join("\n");

function fmt(v, digits = 1) {
  return v === null || v === undefined ? "—" : v.toFixed(digits);
}

function markdownTable(results) {
  const head = "| contender | wall s | rows/s | peak RSS MB | vs pgloader | data phase s | data phase vs COPY limit | rows check | value spot checks |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|---|---|";
  const lines = results.map((r) => {
    const status = r.ok ? "" : ` (failed: ${r.error ?? "?"})`;
    const wall = r.ok ? fmt(r.wallSec) : r.wallSec !== null ? `${fmt(r.wallSec)}${status}` : `—${status}`;
    return (
      `| ${r.contender} | ${wall} | ${r.rowsPerSec !== null ? r.rowsPerSec.toLocaleString("en-US") : "—"} | ` +
      `${r.contender.startsWith("copy-limit") ? "n/a (server-side)" : fmt(r.peakRssMb, 0)} | ` +
      `${r.vsPgloader !== null ? r.vsPgloader.toFixed(2) + "×" : "—"} | ${fmt(r.dataPhaseSec)} | ` +
      `${r.dataPhaseVsCopyLimit !== null ? r.dataPhaseVsCopyLimit.toFixed(2) + "×" : "—"} | ` +
      `${r.rowCheck ? (r.rowCheck.ok ? "ok" : r.rowCheck.detail) : "—"} | ` +
      `${r.spotChecks ? spotCell(r.spotChecks) : "—"} |`
    );
  });
  return [head, sep, ...lines].join("\n");
}

function spotCell(checks) {
  const bad = checks.filter((c) => !c.ok);
  if (!bad.length) return `${checks.length}/${checks.length} ok`;
  return `${checks.length - bad.length}/${checks.length} ok; differs: ${bad.map((c) => c.name).join(", ")}`;
}

function appendDocs(report, table) {
  const file = path.join(ROOT, "docs", "benchmarks.md");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) {
    fs.writeFileSync(
      file,
      "# Benchmarks\n\nGenerated by `npm run bench` (scripts/bench.js); newest runs at the bottom. " +
        "Raw numbers of the last run: `bench-data/results.json`.\n",
    );
  }
  const m = report.machine;
  const s = report.source;
  const md = [
    "",
    `## ${report.date.slice(0, 10)} — scale ${s.scale} (${s.totalRows.toLocaleString("en-US")} rows, ${(s.bytes / 1048576).toFixed(0)} MB SQLite)`,
    "",
    `- Machine: ${m.nproc} CPU (${m.cpu}), ${m.ramGb} GB RAM, ${m.kernel}, Node ${m.node}; load average at start ${m.loadAvgAtStart.join(" / ")}`,
    `- PostgreSQL ${report.postgres.version} (${Object.entries(report.postgres.settings).map(([k, v]) => `${k}=${v}`).join(", ")})`,
    `- pgloader: ${report.pgloader ?? "not installed"}`,
    `- Command: \`${report.command}\``,
    "",
    table,
    "",
  ];
  fs.appendFileSync(file, md.join("\n"));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

/** Read a file once, untimed, so it is in the OS page cache (as it is for every contender after the first). */
async function warmFile(file) {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) void chunk;
}
