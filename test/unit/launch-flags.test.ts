import { describe, expect, it } from "vitest";
import { launchFlags } from "../../src/cli/launch-flags.js";

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

  it("takes the last --to, as commander does, and stops at --", () => {
    expect(launchFlags(["migrate", "a.db", "--to", SERVER, "--to", "pglite:./d"], {})).not.toContain("--liftoff-only");
    expect(launchFlags(["migrate", "a.db", "--to", "pglite:./d", "--to", SERVER], {})).toContain("--liftoff-only");
    expect(launchFlags(["migrate", "a.db", "--", "--to", SERVER], {})).not.toContain("--liftoff-only");
  });
});
