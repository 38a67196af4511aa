/**
 * Renders pipeline events: progress bars on a TTY (cli-progress), plain timestamped lines otherwise, nothing
 * with --quiet. Progress goes to stderr so stdout stays clean for the summary / JSON.
 */
import { countOf } from "../core/plural.js";
import { createRequire } from "node:module";
import type cliProgressTypes from "cli-progress";
import type { EventListener, PipelineEvent } from "../core/events.js";
import { formatDuration } from "../report/summary.js";
import { redact } from "../core/redact.js";

export function makeRenderer(options: { quiet: boolean; tty: boolean; stream?: NodeJS.WriteStream }): EventListener {
  const out = options.stream ?? process.stderr;
  if (options.quiet) return () => {};
  if (options.tty) return ttyRenderer(out);
  return plainRenderer(out);
}

/** Without a TTY (CI logs, pipes): a progress line per table at most every PLAIN_PROGRESS_MS, with rate and ETA. */
const PLAIN_PROGRESS_MS = 5000;

function plainRenderer(out: NodeJS.WriteStream): EventListener {
  const tables = new Map<string, { started: number; lastLine: number }>();
  return (event) => {
    let line: string | undefined;
    if (event.type === "table-start") {
      const now = performance.now();
      // The first progress line comes as soon as rows flow, then at most one every PLAIN_PROGRESS_MS.
      tables.set(event.table, { started: now, lastLine: now - PLAIN_PROGRESS_MS });
      line = plainLine(event);
    } else if (event.type === "table-progress") {
      const t = tables.get(event.table);
      const now = performance.now();
      if (!t || now - t.lastLine < PLAIN_PROGRESS_MS) return;
      t.lastLine = now;
      const rate = event.rows / ((now - t.started) / 1000);
      const pct = event.totalRows > 0 ? ` (${Math.floor((100 * event.rows) / event.totalRows)}%)` : "";
      const eta = rate > 0 && event.totalRows > event.rows ? `, ETA ${Math.ceil((event.totalRows - event.rows) / rate)} s` : "";
      line = `[copy] ${event.table}: ${event.rows}/${event.totalRows} rows${pct}, ${Math.round(rate)} rows/s${eta}`;
    } else {
      line = plainLine(event);
    }
    if (line) out.write(`${redact(line)}\n`);
  };
}

function plainLine(event: PipelineEvent): string | undefined {
  switch (event.type) {
    case "stage-start":
      return `[${event.stage}] ${event.message}…`;
    case "stage-end":
      return `[${event.stage}] done in ${formatDuration(event.ms)}`;
    case "table-start":
      return `[copy] ${event.table}: ${countOf(event.totalRows, "row")}`;
    case "table-end":
      return `[copy] ${event.table}: ${countOf(event.rows, "row")} in ${formatDuration(event.ms)}`;
    case "warning":
      return `warning: ${event.message}`;
    case "info":
      return event.message;
  }
}

const require = createRequire(import.meta.url);

function ttyRenderer(out: NodeJS.WriteStream): EventListener {
  // Loaded with the first bar (~0.1 s of module loading a run without a terminal never needs).
  let cliProgress: typeof cliProgressTypes | undefined;
  let bars: cliProgressTypes.MultiBar | undefined;
  const byTable = new Map<string, { bar: cliProgressTypes.SingleBar; started: number }>();
  return (event) => {
    if (event.type === "table-start") {
      cliProgress ??= require("cli-progress") as typeof cliProgressTypes;
      bars ??= new cliProgress.MultiBar(
        {
          stream: out,
          format: " {table} |{bar}| {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}",
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      byTable.set(event.table, {
        bar: bars.create(Math.max(event.totalRows, 1), 0, { table: event.table.padEnd(16), rate: 0 }),
        started: performance.now(),
      });
      return;
    }
    if (event.type === "table-progress" || event.type === "table-end") {
      const entry = byTable.get(event.table);
      if (!entry) return;
      const seconds = (performance.now() - entry.started) / 1000;
      entry.bar.update(event.rows, { rate: seconds > 0 ? Math.round(event.rows / seconds) : 0 });
      return;
    }
    if (event.type === "stage-end" && event.stage === "copy") {
      bars?.stop();
      bars = undefined;
    }
    if (bars) return;
    const line = plainLine(event);
    if (line) out.write(`${redact(line)}\n`);
  };
}
