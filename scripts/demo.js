// `npm run demo`: the two ways into sqlite2pg, each into its own embedded PostgreSQL (PGlite) — no server needed.
//   1. an app that is not on Prisma yet: the bundled Flask blog (examples/blog.db) is introspected and migrated;
//      the converted schema and the summary are shown.
//   2. an app that is: the repository's Prisma app on SQLite (prisma/: schema.prisma, migrations/, dev.db), copied
//      to demo-output/app/ and migrated with `--schema`, which switches the project to PostgreSQL in place; the
//      diff of its schema.prisma is shown.
// Target of part 1: $DEMO_DATABASE_URL when set (e.g. postgresql://postgres@127.0.0.1:5432/sqlite2pg_demo — it must
// be an empty database), otherwise the embedded PostgreSQL in demo-output/pgdata. Part 2 always uses
// demo-output/app-pgdata.
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const out = `${root}demo-output`;
rmSync(out, { recursive: true, force: true });
const target = process.env.DEMO_DATABASE_URL ?? `pglite:${out}/pgdata`;

function sqlite2pg(args) {
  return spawnSync(process.execPath, [`${root}bin/sqlite2pg.js`, ...args], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
}

console.log("===== 1. an app not on Prisma yet: examples/blog.db, introspected =====");
const first = sqlite2pg(["migrate", `${root}examples/blog.db`, "--to", target, "--out", `${out}/prisma`, "--yes"]);
if (first.status === 0) {
  console.log(`\n===== ${out}/prisma/schema.prisma =====\n`);
  console.log(readFileSync(`${out}/prisma/schema.prisma`, "utf8"));
}
process.stdout.write(first.stdout ?? "");

console.log("\n===== 2. an app on Prisma already: prisma/ (copied to demo-output/app/prisma), migrate --schema =====");
const app = `${out}/app/prisma`;
cpSync(`${root}prisma`, app, { recursive: true });
const second = sqlite2pg(["migrate", `${app}/dev.db`, "--schema", `${app}/schema.prisma`, "--to", `pglite:${out}/app-pgdata`, "--yes"]);
process.stdout.write(second.stdout ?? "");
if (second.status === 0) {
  console.log(`\n===== what --schema changed in schema.prisma (prisma/schema.prisma → ${app}/schema.prisma) =====\n`);
  console.log(lineDiff(readFileSync(`${root}prisma/schema.prisma`, "utf8"), readFileSync(`${app}/schema.prisma`, "utf8")));
}
process.exit(first.status !== 0 ? (first.status ?? 1) : (second.status ?? 1));

/** A unified-style diff of two small texts (longest common subsequence of lines), two lines of context. */
function lineDiff(before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push([" ", a[i++], j++]);
    else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push(["-", a[i++]]);
    else ops.push(["+", b[j++]]);
  }
  const keep = ops.map((op, k) => op[0] !== " " || ops.slice(Math.max(0, k - 2), k + 3).some((o) => o[0] !== " "));
  const lines = [];
  ops.forEach((op, k) => {
    if (keep[k]) lines.push(`${op[0]} ${op[1]}`);
    else if (keep[k - 1] !== false) lines.push("  …");
  });
  return lines.join("\n");
}
