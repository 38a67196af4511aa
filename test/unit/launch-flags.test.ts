import { describe, expect, it } from "vitest";
import { launchFlags, PGLITE_LIFTOFF_BYTES, VALUED_OPTIONS } from "../../src/cli/launch-flags.js";
import { buildProgram } from "../../src/cli/main.js";

const SERVER = "postgresql://me@db:5432/app";

describe("launchFlags: the launcher's V8 flags", () => {
  it("always collects garbage sooner", () => {
    for (const [args, env] of [[["migrate", "a.db", "--to", SERVER], {}], [["plan", "a.db"], {}], [["--help"], { DATABASE_URL: SERVER }]] as const) {
      expect(launchFlags(args, env)).toContain("--heap-growing-percent=10");
    }
  });

  it("keeps Prisma's WASM engines on Liftoff for a server target, from --to or DATABASE_URL", () => {
    expect(launchFlags(["migrate", "a.db", "--to", SERVER], {})).toContain("--liftoff-only");
    expect(launchFlags(["migrate", "a.db", `--to=${SERVER}`], {})).toContain("--liftoff-only");
    expect(launchFlags(["verify", "a.db"], { DATABASE_URL: SERVER })).toContain("--liftoff-only");
    // --to wins over DATABASE_URL, as in the commands (context.ts targetUrlFrom)
    expect(launchFlags(["sync", "a.db", "--to", SERVER], { DATABASE_URL: "pglite:./data" })).toContain("--liftoff-only");
  });

  it("leaves V8's tiering alone for PGlite (PostgreSQL itself runs in WASM there), given or by default", () => {
    expect(launchFlags(["migrate", "a.db", "--to", "pglite:./data"], {})).not.toContain("--liftoff-only");
    expect(launchFlags(["migrate", "a.db", "--to=pglite:./data"], { DATABASE_URL: SERVER })).not.toContain("--liftoff-only");
    expect(launchFlags(["migrate", "a.db"], {})).not.toContain("--liftoff-only"); // the embedded default
    expect(launchFlags(["migrate", "a.db"], { DATABASE_URL: "pglite:./x" })).not.toContain("--liftoff-only");
  });

  it("plan (no PostgreSQL at all) runs the engines on Liftoff whatever DATABASE_URL says", () => {
    expect(launchFlags(["plan", "a.db"], {})).toContain("--liftoff-only");
    expect(launchFlags(["plan", "a.db", "--out", "prisma"], { DATABASE_URL: "pglite:./x" })).toContain("--liftoff-only");
  });

  it("a PGlite target gets Liftoff too for a source up to 32 MB (the SQLite file after the command and its options)", () => {
    const sizes = new Map([["small.db", 1 << 20], ["big.db", PGLITE_LIFTOFF_BYTES + 1], ["r.json", 100]]);
    const sizeOf = (p: string) => sizes.get(p);
    expect(launchFlags(["migrate", "small.db", "--to", "pglite:./d"], {}, sizeOf)).toContain("--liftoff-only");
    expect(launchFlags(["migrate", "big.db", "--to", "pglite:./d"], {}, sizeOf)).not.toContain("--liftoff-only");
    // Option values are not the source, in either spelling; after `--` comes the file.
    expect(launchFlags(["migrate", "--report", "r.json", "--out", "prisma", "big.db"], {}, sizeOf)).not.toContain("--liftoff-only");
    expect(launchFlags(["migrate", "--report=r.json", "--yes", "small.db"], {}, sizeOf)).toContain("--liftoff-only");
    expect(launchFlags(["migrate", "--yes", "--", "small.db"], {}, sizeOf)).toContain("--liftoff-only");
    // A file that cannot be read, or none given: V8's default.
    expect(launchFlags(["migrate", "missing.db"], {}, sizeOf)).not.toContain("--liftoff-only");
    expect(launchFlags(["migrate"], {}, sizeOf)).not.toContain("--liftoff-only");
  });

  it("knows every option of the commands that takes a value", () => {
    const program = buildProgram(() => undefined);
    const valued = program.commands.flatMap((c) => c.options.filter((o) => o.required || o.optional).map((o) => o.long!));
    expect(valued.length).toBeGreaterThan(10);
    for (const name of valued) expect(VALUED_OPTIONS.has(name), name).toBe(true);
  });

  it("takes the last --to, as commander does, and stops at --", () => {
    expect(launchFlags(["migrate", "a.db", "--to", SERVER, "--to", "pglite:./d"], {})).not.toContain("--liftoff-only");
    expect(launchFlags(["migrate", "a.db", "--to", "pglite:./d", "--to", SERVER], {})).toContain("--liftoff-only");
    expect(launchFlags(["migrate", "a.db", "--", "--to", SERVER], {})).not.toContain("--liftoff-only");
  });
});
