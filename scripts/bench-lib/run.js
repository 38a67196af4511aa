// Runs a child process and measures wall time and peak RSS.
// Peak RSS comes from GNU time (`/usr/bin/time -f "%e %M"`, i.e. ru_maxrss: the largest single process in the
// waited-for tree, not a sum). Without GNU time we poll /proc/<pid>/status VmHWM of the direct child instead.
import fs from "node:fs";
import { spawn } from "node:child_process";

export const GNU_TIME = "/usr/bin/time";

export function hasGnuTime() {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ stdoutFile: string, stderrFile: string, cwd?: string, env?: object, timeoutSec?: number }} opts
 * @returns {Promise<{ code: number|null, signal: string|null, wallSec: number, peakRssKb: number|null,
 *   timedOut: boolean, rssSource: string }>}
 */
export function runMeasured(cmd, args, opts) {
  const useTime = hasGnuTime();
  const timeFile = opts.stdoutFile + ".time";
  fs.rmSync(timeFile, { force: true });
  const out = fs.openSync(opts.stdoutFile, "w");
  const err = fs.openSync(opts.stderrFile, "w");
  const [file, argv] = useTime ? [GNU_TIME, ["-o", timeFile, "-f", "%e %M", cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const child = spawn(file, argv, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", out, err],
    detached: true, // own process group, so a timeout can stop the whole tree (and only it)
  });
  let polledHwm = 0;
  let poll = null;
  if (!useTime) {
    poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) polledHwm = Math.max(polledHwm, Number(m[1]));
      } catch {
        /* process gone */
      }
    }, 100);
  }
  let timedOut = false;
  const timer =
    opts.timeoutSec > 0
      ? setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid, "SIGTERM");
          } catch {
            /* already gone */
          }
          setTimeout(() => {
            try {
              process.kill(-child.pid, "SIGKILL");
            } catch {
              /* already gone */
            }
          }, 10_000).unref();
        }, opts.timeoutSec * 1000)
      : null;
  return new Promise((resolve, reject) => {
    child.on("error", (e) => {
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      fs.closeSync(out);
      fs.closeSync(err);
      reject(e);
    });
    child.on("exit", (code, signal) => {
      const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      fs.closeSync(out);
      fs.closeSync(err);
      let peakRssKb = useTime ? null : polledHwm || null;
      if (useTime) {
        try {
          // GNU time writes "Command exited with non-zero status N" before the format line on failure.
          const lines = fs.readFileSync(timeFile, "utf8").trim().split("\n");
          const m = /^([0-9.]+) (\d+)$/.exec(lines[lines.length - 1]);
          if (m) peakRssKb = Number(m[2]);
        } catch {
          /* no time file: the child was killed before time could write it */
        }
      }
      // GNU time exits with the child's status, or 128+signal when the child was signalled.
      resolve({ code, signal, wallSec, peakRssKb, timedOut, rssSource: useTime ? "GNU time %M" : "VmHWM poll" });
    });
  });
}

/**
 * Failure excerpt of a log: the first line that looks like an error (a stack trace's tail alone rarely says
 * what went wrong), then the last `n` non-empty lines.
 */
export function tail(file, n = 15) {
  try {
    const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
    const last = lines.slice(-n);
    const first = lines.find((l) => /\b(error|fatal|failed)\b/i.test(l) && !/^\s+at /.test(l));
    return (first && !last.includes(first) ? [first, "…", ...last] : last).join("\n");
  } catch {
    return "";
  }
}
