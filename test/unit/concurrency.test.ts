import { describe, expect, it } from "vitest";
import { mapConcurrently } from "../../src/core/concurrency.js";

describe("mapConcurrently", () => {
  it("keeps the items' order and never has more than the limit in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const delays = [30, 5, 20, 1, 15, 2, 10, 0];
    const results = await mapConcurrently(delays, 3, async (ms, i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return `${i}:${ms}`;
    });
    expect(results).toEqual(delays.map((ms, i) => `${i}:${ms}`));
    expect(most).toBe(3);
  });

  it("handles no items, and a limit above their number", async () => {
    expect(await mapConcurrently([], 4, async () => 1)).toEqual([]);
    expect(await mapConcurrently([1, 2], 10, async (n) => n * 2)).toEqual([2, 4]);
  });

  it("rejects with the first failure", async () => {
    await expect(mapConcurrently([1, 2, 3], 2, async (n) => (n === 2 ? Promise.reject(new Error("two")) : n))).rejects.toThrow("two");
  });
});
