/**
 * A private PostgreSQL 15 cluster for tests that must stop or restart the server (the shared one on 5432 is never
 * touched). initdb refuses to run as root, so as root every command runs as the `postgres` OS user on a temp
 * directory it owns.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface ThrowawayCluster {
  readonly port: number;
  /** postgresql://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  /** `pg_ctl restart -m fast`: every connection is terminated, the server comes back on the same port. */
  restart(): void;
  stop(): void;
  /** The server log (for diagnosing a failing test). */
  log(): string;
}

export function clusterAvailable(): boolean {
  return existsSync(join(PG_BIN, "initdb")) && existsSync(join(PG_BIN, "pg_ctl"));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

export interface ClusterOptions {
  /** pg_hba.conf lines put before initdb's trust lines (e.g. a SCRAM-only role). */
  readonly hba?: readonly string[];
  /** Server settings, e.g. { max_connections: "10" }. */
  readonly settings?: Readonly<Record<string, string>>;
}

export async function startThrowawayCluster(options: ClusterOptions = {}): Promise<ThrowawayCluster> {
  const root = mkdtempSync(join(tmpdir(), "s2p-cluster-"));
  const data = join(root, "data");
  const logfile = join(root, "server.log");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(root, uid, gid);
  }
  const run = (bin: string, args: string[]): void => {
    const file = join(PG_BIN, bin);
    const [cmd, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", file, ...args]] : [file, args];
    execFileSync(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  };
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
  if (options.hba?.length) {
    const hbaFile = join(data, "pg_hba.conf");
    writeFileSync(hbaFile, `${options.hba.join("\n")}\n${readFileSync(hbaFile, "utf8")}`);
  }
  const port = await freePort();
  const extra = Object.entries(options.settings ?? {}).map(([k, v]) => ` -c ${k}=${v}`).join("");
  const opts = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off${extra}`;
  const pgCtl = (...args: string[]): void => run("pg_ctl", ["-D", data, "-o", opts, "-l", logfile, "-w", ...args]);
  pgCtl("start");
  let stopped = false;
  return {
    port,
    url: (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    restart: () => pgCtl("restart", "-m", "fast"),
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        pgCtl("stop", "-m", "immediate");
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
    log: () => (existsSync(logfile) ? readFileSync(logfile, "utf8") : ""),
  };
}
