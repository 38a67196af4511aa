// The big-cells suite of `npm run bench -- --suite big-cells` (issue #16 item 10): does a single huge value stay
// in bounded memory, and does it land exactly?
//
//   bench-data/big-cells.db  one 50 MB TEXT cell (tabs, newlines, backslashes, multi-byte UTF-8: every COPY
//                            escape), one 200 MB BLOB cell, and a few small rows around them
//   bench-data/huge-blob.db  one 520 MB BLOB (its hex spelling, 1.04e9 characters, exceeds SQLite's
//                            SQLITE_MAX_LENGTH of 1e9, https://sqlite.org/limits.html#max_length); only when the
//                            disk has room
//
// Per file: `migrate` (default verification, then the same with --verify deep) and `verify` against the
// migrated database, each timed with its peak RSS (GNU time %M), then sha256 and length of every big cell in
// PostgreSQL compared with SQLite's. The goal: peak RSS ≤ 256 MB + 3 × the largest cell.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { runMeasured, tail } from "./run.js";
import { withDatabase, recreateDatabase, dropDatabase, withClient } from "./pg.js";

const MB = 1024 * 1024;

/** Deterministic text holding every character COPY escapes, and 2-, 3- and 4-byte UTF-8. */
function bigText(bytes) {
  const unit = "big cell\tcolumn\\one\nline two\r\u00e9t\u00e9 \u20ac \u{1F600} ";
  const unitBytes = Buffer.byteLength(unit);
  return unit.repeat(Math.ceil(bytes / unitBytes));
}

/** Pseudo-random bytes from a seed (sha256 in counter mode), so the file is the same on every run. */
function bigBlob(bytes, seed) {
  const out = Buffer.allocUnsafe(bytes);
  for (let off = 0, n = 0; off < bytes; n++) {
    const block = createHash("sha256").update(`${seed}:${n}`).digest();
    off += block.copy(out, off);
  }
  return out;
}

function generate(file, cells) {
  fs.rmSync(file, { force: true });
  const db = new Database(file);
  db.exec("CREATE TABLE cell (id INTEGER PRIMARY KEY, label TEXT NOT NULL, body TEXT, data BLOB)");
  const insert = db.prepare("INSERT INTO cell (id, label, body, data) VALUES (?, ?, ?, ?)");
  let id = 1;
  for (let i = 0; i < 50; i++) insert.run(id++, `small ${i}`, `text ${i}\t\\`, Buffer.from([i, 0, 255]));
  for (const c of cells) {
    // One value at a time: the generator's own memory is one cell.
    if (c.kind === "text") insert.run(id++, c.label, bigText(c.bytes), null);
    else insert.run(id++, c.label, null, bigBlob(c.bytes, c.label));
  }
  for (let i = 0; i < 50; i++) insert.run(id++, `tail ${i}`, null, null);
  db.close();
}

/** length and sha256 of every big cell, as SQLite stores it (bytes of the UTF-8 text, or the BLOB). */
function sourceDigests(file) {
  const db = new Database(file, { readonly: true });
  const out = {};
  for (const { id, label } of db.prepare("SELECT id, label FROM cell WHERE length(body) > 1000000 OR length(data) > 1000000").all()) {
    const v = db.prepare("SELECT coalesce(CAST(body AS BLOB), data) AS v FROM cell WHERE id = ?").get(id).v;
    out[label] = { id, bytes: v.length, sha256: createHash("sha256").update(v).digest("hex") };
  }
  db.close();
  return out;
}

async function targetDigests(url, source) {
  return withClient(url, async (c) => {
    const out = {};
    for (const [label, s] of Object.entries(source)) {
      const { rows } = await c.query(
        `SELECT octet_length(coalesce(convert_to(body, 'UTF8'), data)) AS bytes,
                encode(sha256(coalesce(convert_to(body, 'UTF8'), data)), 'hex') AS sha256
           FROM public.cell WHERE id = $1`,
        [s.id],
      );
      out[label] = rows[0] ? { bytes: Number(rows[0].bytes), sha256: rows[0].sha256 } : null;
    }
    return out;
  });
}

async function runCli(root, dataDir, name, args, timeoutSec) {
  const stdoutFile = path.join(dataDir, `${name}.stdout.log`);
  const stderrFile = path.join(dataDir, `${name}.stderr.log`);
  const m = await runMeasured(process.execPath, [path.join(root, "bin", "sqlite2pg.js"), ...args], { stdoutFile, stderrFile, cwd: root, timeoutSec });
  const ok = m.code === 0 && !m.timedOut;
  return {
    name,
    ok,
    code: m.code,
    wallSec: m.wallSec,
    peakRssMb: m.peakRssKb === null ? null : m.peakRssKb / 1024,
    ...(ok ? {} : { errorTail: tail(stderrFile, 8) || tail(stdoutFile, 8) }),
  };
}

/**
 * @param {{ root: string, dataDir: string, pgUrl: string, timeout: number, log: (...a: unknown[]) => void }} o
 * @returns {Promise<{ files: object[] }>}
 */
export async function runBigCells(o) {
  const { log } = o;
  const free = fs.statfsSync(o.dataDir);
  const freeBytes = free.bavail * free.bsize;
  const files = [
    { name: "big-cells", cells: [{ label: "text-50mb", kind: "text", bytes: 50 * MB }, { label: "blob-200mb", kind: "blob", bytes: 200 * MB }] },
    // The file, PostgreSQL's copy of it (twice while COPY writes WAL) and the work directory: keep 4 GB spare.
    ...(freeBytes > 4 * 1024 * MB ? [{ name: "huge-blob", cells: [{ label: "blob-520e6", kind: "blob", bytes: 520_000_000 }] }] : []),
  ];
  if (files.length === 1) log(`note: ${(freeBytes / 1024 / MB).toFixed(1)} GB free, the 520 MB blob file is left out`);
  const results = [];
  for (const f of files) {
    const file = path.join(o.dataDir, `${f.name}.db`);
    const largest = Math.max(...f.cells.map((c) => c.bytes));
    if (!fs.existsSync(file)) {
      log(`generating ${path.basename(file)} …`);
      generate(file, f.cells);
    }
    const source = sourceDigests(file);
    const goalMb = 256 + (3 * largest) / MB;
    const r = { file: path.basename(file), cells: f.cells.map((c) => `${c.label}`), largestMb: Math.round(largest / MB), goalMb: Math.round(goalMb), runs: [] };
    results.push(r);
    const db = `bench_big_cells_${f.name.replace(/-/g, "_")}`;
    const url = withDatabase(o.pgUrl, db);
    for (const [name, extra] of [
      ["migrate", []],
      ["migrate --verify deep", ["--verify", "deep"]],
    ]) {
      await recreateDatabase(o.pgUrl, db);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite2pg-bench-big-"));
      log(`\n== ${f.name}: ${name}`);
      const run = await runCli(o.root, o.dataDir, `${f.name}-${name.replace(/[^a-z]+/g, "-")}`, ["migrate", file, "--to", url, "--out", out, "--yes", ...extra], o.timeout);
      fs.rmSync(out, { recursive: true, force: true });
      if (run.ok) {
        const target = await targetDigests(url, source);
        run.exact = Object.entries(source).every(([label, s]) => target[label]?.sha256 === s.sha256 && target[label]?.bytes === s.bytes);
        if (!run.exact) run.digests = { source, target };
      }
      r.runs.push(run);
      log(`  ${run.ok ? "ok" : `FAILED (exit ${run.code})`}: wall ${run.wallSec.toFixed(1)} s, peak RSS ${run.peakRssMb?.toFixed(0)} MB (goal ≤ ${goalMb} MB)${run.exact === undefined ? "" : run.exact ? ", big cells exact in PostgreSQL" : ", BIG CELLS DIFFER"}`);
      if (!run.ok) log(run.errorTail);
    }
    // `verify` against the last migrated copy (the database is left as migrate made it).
    if (r.runs.at(-1).ok) {
      log(`\n== ${f.name}: verify`);
      const run = await runCli(o.root, o.dataDir, `${f.name}-verify`, ["verify", file, "--to", url], o.timeout);
      r.runs.push(run);
      log(`  ${run.ok ? "ok" : `FAILED (exit ${run.code})`}: wall ${run.wallSec.toFixed(1)} s, peak RSS ${run.peakRssMb?.toFixed(0)} MB (goal ≤ ${goalMb} MB)`);
      if (!run.ok) log(run.errorTail);
    }
    await dropDatabase(o.pgUrl, db).catch(() => {});
    for (const run of r.runs) run.withinGoal = run.peakRssMb !== null && run.peakRssMb <= goalMb;
  }
  return { files: results, sqlite: spawnSync("sqlite3", ["--version"], { encoding: "utf8" }).stdout?.trim() ?? null };
}

/** The suite's results as a Markdown table. */
export function bigCellsTable(result) {
  const lines = ["| file (largest cell) | command | exit | wall s | peak RSS MB | goal MB | within goal | big cells exact in PG |", "|---|---|---:|---:|---:|---:|---|---|"];
  for (const f of result.files) {
    for (const r of f.runs) {
      lines.push(
        `| ${f.file} (${f.largestMb} MB) | \`${r.name}\` | ${r.code} | ${r.wallSec.toFixed(1)} | ${r.peakRssMb?.toFixed(0) ?? "?"} | ${f.goalMb} | ${r.withinGoal ? "yes" : "**no**"} | ${r.exact === undefined ? "–" : r.exact ? "yes" : "**no**"} |`,
      );
    }
  }
  return lines.join("\n");
}
