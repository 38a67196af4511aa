/**
 * Progress without a terminal (CI logs, pipes): plain lines, and at most one progress line per table every few
 * seconds — the first as soon as rows flow — with rows, percent, rate and ETA. Passwords never reach the output.
 */
import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeRenderer } from "../../src/cli/render.js";

function capture(): { stream: NodeJS.WriteStream; lines: () => string[] } {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, lines: () => text.split("\n").filter((l) => l !== "") };
}

describe("plain progress lines", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("prints the first progress line at once, then at most one per table every 5 s, with rate and ETA", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const out = capture();
    const emit = makeRenderer({ quiet: false, tty: false, stream: out.stream });
    emit({ type: "table-start", table: "comments", totalRows: 1000 });
    vi.advanceTimersByTime(1000);
    emit({ type: "table-progress", table: "comments", rows: 100, totalRows: 1000 });
    vi.advanceTimersByTime(1000);
    emit({ type: "table-progress", table: "comments", rows: 200, totalRows: 1000 }); // within 5 s: not printed
    vi.advanceTimersByTime(4000);
    emit({ type: "table-progress", table: "comments", rows: 600, totalRows: 1000 });
    emit({ type: "table-end", table: "comments", rows: 1000, ms: 7000 });
    expect(out.lines()).toEqual([
      "[copy] comments: 1000 rows",
      "[copy] comments: 100/1000 rows (10%), 100 rows/s, ETA 9 s",
      "[copy] comments: 600/1000 rows (60%), 100 rows/s, ETA 4 s",
      "[copy] comments: 1000 rows in 7.00 s",
    ]);
  });

  it("redacts a password in any message", () => {
    const out = capture();
    const emit = makeRenderer({ quiet: false, tty: false, stream: out.stream });
    emit({ type: "info", message: "target postgresql://app:s3cret@db.example.com:5432/prod" });
    expect(out.lines().join("\n")).not.toContain("s3cret");
  });

  it("prints nothing with --quiet", () => {
    const out = capture();
    makeRenderer({ quiet: true, tty: false, stream: out.stream })({ type: "info", message: "hello" });
    expect(out.lines()).toEqual([]);
  });
});
