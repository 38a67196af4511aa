// `npm run demo`: migrate the bundled Flask blog (examples/blog.db) into a fresh PostgreSQL database and show
// the converted schema and the summary. Target: $DEMO_DATABASE_URL, else a database "sqlite2pg_demo" on the
// server of $DATABASE_URL or of postgresql://postgres@127.0.0.1:5432/postgres (re-created on each run).
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import pg from "pg";

const root = new URL("..", import.meta.url).pathname;
const server = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const demoUrl = process.env.DEMO_DATABASE_URL ?? (() => {
  const u = new URL(server);
  u.pathname = "/sqlite2pg_demo";
  return u.toString();
})();

if (!process.env.DEMO_DATABASE_URL) {
  const admin = new pg.Client({ connectionString: server });
  try {
    await admin.connect();
  } catch (err) {
    console.error(`cannot reach PostgreSQL for the demo (${err.message}).`);
    console.error("Start a server (e.g. pg_ctlcluster 15 main start) or set DEMO_DATABASE_URL.");
    process.exit(1);
  }
  await admin.query("DROP DATABASE IF EXISTS sqlite2pg_demo WITH (FORCE)");
  await admin.query("CREATE DATABASE sqlite2pg_demo");
  await admin.end();
}

const out = `${root}demo-output/prisma`;
rmSync(`${root}demo-output`, { recursive: true, force: true });
const run = spawnSync(
  process.execPath,
  [`${root}bin/sqlite2pg.js`, "migrate", `${root}examples/blog.db`, "--to", demoUrl, "--out", out, "--yes"],
  { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" },
);
if (run.status === 0) {
  console.log(`\n===== ${out}/schema.prisma =====\n`);
  console.log(readFileSync(`${out}/schema.prisma`, "utf8"));
}
process.stdout.write(run.stdout ?? "");
process.exit(run.status ?? 1);
