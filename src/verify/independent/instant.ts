/**
 * Calendar arithmetic for the independent check (PURE): instants are bigint nanoseconds since 1970-01-01 UTC, so
 * a microsecond (PostgreSQL's resolution) and a nanosecond (the finest a SQLite text can spell) are both exact.
 * The civil-date conversion goes through the JS Date's proleptic Gregorian calendar
 * (https://tc39.es/ecma262/#sec-time-values-and-time-range), not through the copy's own arithmetic.
 */
export const NS_PER_US = 1000n;
export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;
export const NS_PER_DAY = 86_400n * NS_PER_S;

/** Midnight (UTC ms) per civil day already seen: consecutive rows mostly share a few days. */
const midnights = new Map<number, number | null>();

/** Milliseconds of a UTC civil date and time, or null when no such date or time exists (Feb 30, 24:00, …). */
export function civilMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number | null {
  if (hour > 23 || minute > 59 || second > 59) return null;
  const tag = year * 10000 + month * 100 + day;
  let midnight = midnights.get(tag);
  if (midnight === undefined) {
    const t = new Date(0);
    // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
    t.setUTCFullYear(year, month - 1, day);
    midnight = t.getUTCFullYear() !== year || t.getUTCMonth() !== month - 1 || t.getUTCDate() !== day ? null : t.getTime();
    if (midnights.size > 100_000) midnights.clear();
    midnights.set(tag, midnight);
  }
  return midnight === null ? null : midnight + ((hour * 60 + minute) * 60 + second) * 1000;
}

/** Nanoseconds of a fraction of a second written with up to 9 digits ("5" = 0.5 s), or null beyond 9 digits. */
export function fractionNs(digits: string | undefined): bigint | null {
  if (digits === undefined || digits === "") return 0n;
  if (digits.length > 9) return digits.slice(9).replace(/0/g, "") === "" ? fractionNs(digits.slice(0, 9)) : null;
  return BigInt(digits.padEnd(9, "0"));
}

/** An instant as ISO text with as many fraction digits as it needs (for difference messages). */
export function formatInstant(ns: bigint): string {
  const floorSeconds = ns / NS_PER_S - (ns % NS_PER_S < 0n ? 1n : 0n);
  const fraction = ns - floorSeconds * NS_PER_S; // 0 ≤ fraction < 1 s
  const d = new Date(Number(floorSeconds) * 1000);
  if (Number.isNaN(d.getTime())) return `${ns} ns since 1970`;
  const digits = fraction === 0n ? "" : `.${fraction.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${d.toISOString().slice(0, -5)}${digits}Z`;
}
