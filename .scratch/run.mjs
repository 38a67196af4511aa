import { runPrisma } from "/work/main/dist/db/prisma-cli.js";
const [schema, ...args] = process.argv.slice(2);
const r = await runPrisma(args, { stage: "plan", adapter: "sqlite", adapterUrl: ":memory:", schemaPath: schema, cwd: "/tmp/exp", env: { DATABASE_URL: "file:./dev.db" }, okExitCodes: [1,2] });
console.log("EXIT", r.exitCode, "\n", r.stdout, "\n", r.stderr);
