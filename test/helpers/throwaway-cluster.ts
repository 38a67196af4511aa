/**
 * A private PostgreSQL 15 cluster for tests that must stop or restart the server (the shared one on 5432 is never
 * touched). initdb refuses to run as root, so as root every command runs as the `postgres` OS user on a temp
 * directory it owns.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The server binaries: $PG_BIN, else `pg_config --bindir`. A test that needs a private cluster fails (never skips)
 * when they cannot be found, so a machine without them cannot report those tests as passed.
 */
export function pgBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
  } catch (err) {
    throw new Error(`cannot find the PostgreSQL server binaries (pg_config --bindir failed: ${(err as Error).message}); install PostgreSQL 15 or set PG_BIN`);
  }
}

function requireBinaries(): string {
  const bin = pgBinDir();
  for (const tool of ["initdb", "pg_ctl"]) {
    if (!existsSync(join(bin, tool))) throw new Error(`${join(bin, tool)} not found (from PG_BIN or pg_config --bindir): a throwaway cluster needs the PostgreSQL server binaries`);
  }
  return bin;
}

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
  /**
   * Serve TLS with a fresh self-signed certificate (`openssl req -x509`, CN=localhost) and log every connection
   * (`log_connections`), so a test can read in log() whether a session was encrypted ("SSL enabled").
   */
  readonly ssl?: boolean;
  /** Server settings, e.g. { max_connections: "10" }. */
  readonly settings?: Readonly<Record<string, string>>;
}

export async function startThrowawayCluster(options: ClusterOptions = {}): Promise<ThrowawayCluster> {
  const PG_BIN = requireBinaries();
  const root = mkdtempSync(join(tmpdir(), "s2p-cluster-"));
  const data = join(root, "data");
  const logfile = join(root, "server.log");
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresIds() : undefined;
  if (owner) chownSync(root, owner.uid, owner.gid);
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
  let sslOpts = "";
  if (options.ssl) {
    const cert = join(data, "server.crt");
    const key = join(data, "server.key");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert], { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    chmodSync(key, 0o600); // the server refuses a key others can read
    if (owner) for (const f of [cert, key]) chownSync(f, owner.uid, owner.gid);
    sslOpts = ` -c ssl=on -c ssl_cert_file=${cert} -c ssl_key_file=${key} -c log_connections=on`;
  }
  const port = await freePort();
  const extra = Object.entries(options.settings ?? {}).map(([k, v]) => ` -c ${k}=${v}`).join("");
  const opts = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off${sslOpts}${extra}`;
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
