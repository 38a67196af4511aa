/**
 * Prisma's engines run in sqlite2pg's process (src/db/schema-engine.ts, src/db/prisma-client.ts) instead of as
 * Prisma CLI children. Here they are held to the CLI itself (test/helpers/prisma-cli.ts), on the real-world corpus
 * (the pgloader files are held to it by the goldens, written by the CLI): `db pull` gives the same schema text,
 * `migrate diff --from-empty … --script` the same SQL, `migrate diff --exit-code` the same answer, and the client
 * built in-process carries the same runtime data model as the `index.js` that `prisma generate` writes.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runtimeDataModelFor } from "../../src/db/prisma-client.js";
import { diffScript, introspectSqlite } from "../../src/db/schema-engine.js";
import { renameHostileNames } from "../../src/introspect/clone-names.js";
import { takeSnapshot } from "../../src/introspect/snapshot.js";
import { plan } from "../../src/pipeline/plan.js";
import { clientSchemaText } from "../../src/verify/readback/schema.js";
import { runPrisma } from "../helpers/prisma-cli.js";
import { REALWORLD, copyToTemp, tempDir } from "../helpers/files.js";

const require = createRequire(import.meta.url);
const SEED = `datasource db {\n  provider = "sqlite"\n  url      = "file:./schema.db"\n}\n`;
const FILES = readdirSync(REALWORLD).filter((f) => !f.endsWith(".md")).sort();
const tmp = tempDir("prisma-engines");
afterAll(() => tmp.cleanup());

/** The schema-only clone the introspect stage pulls, with the names Prisma cannot take renamed (clone-names.ts). */
async function pullableClone(file: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const snapshot = await takeSnapshot(copyToTemp(join(REALWORLD, file), dir));
  try {
    const clone = join(dir, "clone.db");
    copyFileSync(snapshot.schemaClonePath, clone);
    renameHostileNames(clone);
    return clone;
  } finally {
    await snapshot.dispose();
  }
}

describe.concurrent("in-process engines give what the Prisma CLI gives, on every real-world file", () => {
  it("has real-world files to compare", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(9);
  });

  for (const file of FILES) {
    it(`${file}: db pull, migrate diff and the client's data model`, async () => {
      const dir = join(tmp.dir, file);
      const clone = await pullableClone(file, dir);
      // db pull: the CLI rewrites the schema file in place.
      const cliSchemaPath = join(dir, "cli.prisma");
      writeFileSync(cliSchemaPath, SEED);
      await runPrisma(["db", "pull"], { stage: "introspect", adapter: "sqlite", adapterUrl: `file:${clone}`, schemaPath: cliSchemaPath, cwd: dir });
      const ours = await introspectSqlite({ path: "schema.prisma", content: SEED }, dir, { stage: "introspect", kind: "source", sqliteUrl: `file:${clone}` });
      expect(ours.schema).toBe(readFileSync(cliSchemaPath, "utf8"));

      // migrate diff of the converted postgresql schema, from nothing (the baseline) and from itself (no change).
      const out = join(dir, "plan");
      mkdirSync(join(dir, "again"));
      const summary = await plan({ sqlitePath: copyToTemp(join(REALWORLD, file), join(dir, "again")), outDir: out });
      const converted = join(out, "schema.prisma");
      expect(summary.schemaPath).toBe(converted);
      const env = { DATABASE_URL: "postgresql://localhost/unused" };
      const cliDiff = await runPrisma(["migrate", "diff", "--from-empty", "--to-schema-datamodel", converted, "--script"], {
        stage: "plan", adapter: "sqlite", adapterUrl: ":memory:", schemaPath: converted, cwd: dir, env,
      });
      const schemaFile = { path: converted, content: readFileSync(converted, "utf8") };
      const baseline = await diffScript("empty", schemaFile, { stage: "plan", kind: "internal" });
      expect(`${baseline.script}\n`).toBe(cliDiff.stdout);
      expect(baseline.same).toBe(false);
      expect((await diffScript(schemaFile, schemaFile, { stage: "plan", kind: "internal" })).same).toBe(true);

      // The client: `prisma generate` into a folder, against the data model built in-process from the same text.
      const clientSchema = clientSchemaText(schemaFile.content);
      const generatedDir = join(dir, "generated");
      // `prisma generate` looks for @prisma/client next to the schema.
      mkdirSync(join(dir, "node_modules", "@prisma"), { recursive: true });
      symlinkSync(dirname(require.resolve("@prisma/client/package.json")), join(dir, "node_modules", "@prisma", "client"));
      const generateSchema = join(dir, "client.prisma");
      writeFileSync(generateSchema, clientSchema.replace(/(engineType\s*=\s*"client")/, `$1\n  output = "${generatedDir}"`));
      await runPrisma(["generate"], { stage: "verify", adapter: "sqlite", adapterUrl: ":memory:", schemaPath: generateSchema, cwd: dir });
      const index = readFileSync(join(generatedDir, "index.js"), "utf8");
      const embedded = /config\.runtimeDataModel = JSON\.parse\((".*")\)\n/.exec(index);
      expect(embedded, "generated index.js embeds its runtime data model").not.toBeNull();
      expect(runtimeDataModelFor(clientSchema)).toEqual(JSON.parse(JSON.parse(embedded![1]) as string));
    });
  }
});
