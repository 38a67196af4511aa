/**
 * Calendar code for DATETIME/DATE/TIME values: timestamp text parsed by hand, unix epochs by magnitude, civil
 * dates from day counts (no Date object: years 0001..9999 and microseconds must survive). Pure.
 */
/** Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date "YYYY-MM-DD" of a day count since 1970-01-01, or null when the year is outside 1..9999. */
export function civilFromDays(z: number): string | null {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 1 || y > 9999) return null;
  return `${pad4(y)}-${pad2(m)}-${pad2(d)}`;
}

/** "00".."59" */
export const PAD2: readonly string[] = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

/** Millisecond fractions with trailing zeros dropped: "", ".001", … ".01", … ".999". */
export const FRAC_MS: readonly string[] = Array.from({ length: 1000 }, (_, i) =>
  i === 0 ? "" : `.${String(i).padStart(3, "0")}`.replace(/0+$/, ""),
);

export function pad2(n: number): string {
  return PAD2[n];
}

export function pad4(n: number): string {
  return n >= 1000 ? `${n}` : n >= 100 ? `0${n}` : n >= 10 ? `00${n}` : `000${n}`;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Value of the decimal digit at s[i], or -1. */
export function dig(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Value of the two digits at s[i], s[i+1], or -1. */
export function dig2(s: string, i: number): number {
  const a = dig(s, i);
  const b = dig(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

export const NOT_A_TIMESTAMP = "not a timestamp";


/**
 * Text the timestamp encoder sends exactly as stored: already `YYYY-MM-DD HH:MM:SS[.f{1,6}]` without a zone or a
 * trailing fraction zero, a real date and time of day. The profile counts such values, and a column holding only
 * these is spelled by SQLite itself during the copy (src/copy/sql-spelling.ts).
 */
export function isCanonicalTimestampText(s: string): boolean {
  return s.length >= 19 && parseTimestampText(s) === s;
}

/** Text the date encoder sends exactly as stored: a real date `YYYY-MM-DD` (see isCanonicalTimestampText). */
export function isCanonicalDateText(s: string): boolean {
  return s.length === 10 && parseTimestampText(s) !== null;
}

export const TIME_TEXT = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** Up to 6 fraction digits with trailing zeros dropped ("" for none), or null when precision would be lost. */
export function normFraction(f: string | undefined): string | null {
  if (f === undefined) return "";
  let end = f.length;
  while (end > 0 && f.charCodeAt(end - 1) === 48) end--;
  if (end > 6) return null;
  return end === 0 ? "" : `.${f.slice(0, end)}`;
}

/** Epoch milliseconds bounds of years 0001..9999. */
export const MIN_EPOCH_MS = -62135596800000;

export const MAX_EPOCH_MS = 253402300799999;


/**
 * Below this magnitude an integer is no plausible unix time: as seconds it falls within 1966-10-31..1973-03-03, as
 * milliseconds within a day of 1970-01-01. Such values are years (2024), placeholders (0) or counters; turning
 * them into 1970 timestamps would change them silently, so the copy refuses them.
 */
export const EPOCH_PLAUSIBLE_MIN = 100_000_000;

/**
 * From this magnitude on an integer is unix *milliseconds* (as seconds it would lie beyond the year 5138), below
 * it unix *seconds* (as milliseconds it would fall in 1970–1973). The two bands do not overlap, so each value is
 * decided on its own: a column mixing seconds and milliseconds (an application that changed its writer) converts
 * exactly.
 */
export const EPOCH_MS_MIN = 100_000_000_000;

/**
 * 2100-01-01 in unix seconds. In a column that also holds milliseconds, a seconds-band value from here on (years
 * 2100–5138 as seconds) reads as well as milliseconds of 1970-02-17..1973-03-03: neither reading can be chosen.
 */
export const EPOCH_S_AMBIGUOUS_MIN = 4_102_444_800;

export const EPOCH_PLAUSIBLE_MIN_N = BigInt(EPOCH_PLAUSIBLE_MIN);

export const EPOCH_PLAUSIBLE_MAX_NEG = -EPOCH_PLAUSIBLE_MIN_N;

export const EPOCH_MS_MIN_N = BigInt(EPOCH_MS_MIN);

export const EPOCH_MS_MAX_NEG = -EPOCH_MS_MIN_N;

/** How a DATETIME column reads an integer: unix seconds, unix milliseconds, or null (no plausible unix time). */
export function epochUnitOf(v: bigint | number): "s" | "ms" | null {
  // The profile calls this for every integer it reads: comparisons only, no negated bigint.
  if (typeof v === "bigint") {
    if (v >= EPOCH_MS_MIN_N || v <= EPOCH_MS_MAX_NEG) return "ms";
    return v >= EPOCH_PLAUSIBLE_MIN_N || v <= EPOCH_PLAUSIBLE_MAX_NEG ? "s" : null;
  }
  const a = Math.abs(v);
  return a >= EPOCH_MS_MIN ? "ms" : a >= EPOCH_PLAUSIBLE_MIN ? "s" : null;
}

export const NOT_AN_EPOCH =
  "not a plausible unix time (its magnitude is below 10^8: 1966-10-31..1973-03-03 as seconds, within a day of 1970-01-01 as milliseconds); " +
  "keep the column's values as they are with --type <table>.<column>=BigInt (integers only) or =String";

export const AMBIGUOUS_EPOCH =
  "ambiguous in a column that mixes unix seconds and milliseconds: as seconds after 2100, as milliseconds in 1970–1973; " +
  "fix the value in SQLite, or keep the column's values as they are with --type <table>.<column>=BigInt (integers only) or =String";


// ---------------------------------------------------------------------------------------------------------------
// Per-kind encoders

/**
 * Reads timestamp text and epoch integers into the normalized UTC text `YYYY-MM-DD HH:MM:SS[.ffffff]` (trailing
 * fraction zeros dropped, as PostgreSQL prints it), or null with the reason in `failure`; `midnight` tells whether
 * the last successful read was exactly 00:00:00. Each encoder owns one reader: the two answers need no result
 * object per value (this runs for every DATETIME value) and no module-level state.
 */
export class TimestampReader {
  /** Why the last read returned null. */
  failure = "";
  /** The last successful read was exactly 00:00:00. */
  midnight = false;
  /** Consecutive epoch values mostly fall on the same day: the last day's date text. */
  private lastEpochDay = NaN;
  private lastEpochDate = "";

  private fail(reason: string): null {
    this.failure = reason;
    return null;
  }

  /**
   * Parse `YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,9}]][Z|±HH:MM|±HHMM|±HH]]` by hand (this runs for every DATETIME value);
   * return a reason string when the text is not such a timestamp or cannot be kept exactly.
   */
  parse(s: string): string | null {
    const len = s.length;
    if (len < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return this.fail(NOT_A_TIMESTAMP);
    const y1 = dig2(s, 0);
    const y2 = dig2(s, 2);
    const mo = dig2(s, 5);
    const d = dig2(s, 8);
    if (y1 < 0 || y2 < 0 || mo < 0 || d < 0) return this.fail(NOT_A_TIMESTAMP);
    const y = y1 * 100 + y2;
    if (y < 1) return this.fail("year outside 0001..9999");
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return this.fail("no such date");
    if (len === 10) {
      this.midnight = true;
      return `${s} 00:00:00`;
    }
    const sep = s.charCodeAt(10);
    if ((sep !== 32 && sep !== 84 && sep !== 116) || len < 16 || s.charCodeAt(13) !== 58) return this.fail(NOT_A_TIMESTAMP);
    let h = dig2(s, 11);
    let mi = dig2(s, 14);
    if (h < 0 || mi < 0) return this.fail(NOT_A_TIMESTAMP);
    let pos = 16;
    let sec = 0;
    let hasSec = false;
    let fracStart = 0;
    let fracEnd = 0; // after dropping trailing zeros
    if (pos < len && s.charCodeAt(pos) === 58) {
      sec = dig2(s, pos + 1);
      if (sec < 0) return this.fail(NOT_A_TIMESTAMP);
      hasSec = true;
      pos += 3;
      if (pos < len && s.charCodeAt(pos) === 46) {
        fracStart = pos + 1;
        pos = fracStart;
        while (pos < len && dig(s, pos) >= 0) pos++;
        const n = pos - fracStart;
        if (n === 0 || n > 9) return this.fail(NOT_A_TIMESTAMP);
        fracEnd = pos;
        while (fracEnd > fracStart && s.charCodeAt(fracEnd - 1) === 48) fracEnd--;
        if (fracEnd - fracStart > 6) return this.fail("more than 6 fractional-second digits (PostgreSQL would round)");
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return this.fail("no such time of day");
    let offset = 0;
    if (pos < len) {
      const z = s.charCodeAt(pos);
      if (z === 90 || z === 122) {
        if (pos + 1 !== len) return this.fail(NOT_A_TIMESTAMP);
      } else if (z === 43 || z === 45) {
        const oh = dig2(s, pos + 1);
        let om = 0;
        const rest = len - pos - 3;
        if (oh < 0) return this.fail(NOT_A_TIMESTAMP);
        if (rest === 3 && s.charCodeAt(pos + 3) === 58) om = dig2(s, pos + 4);
        else if (rest === 2) om = dig2(s, pos + 3);
        else if (rest !== 0) return this.fail(NOT_A_TIMESTAMP);
        if (om < 0) return this.fail(NOT_A_TIMESTAMP);
        if (oh > 15 || om > 59) return this.fail("invalid UTC offset");
        offset = (oh * 60 + om) * (z === 45 ? -1 : 1);
      } else {
        return this.fail(NOT_A_TIMESTAMP);
      }
    }
    const frac = fracEnd > fracStart ? s.slice(fracStart - 1, fracEnd) : "";
    if (offset === 0) {
      this.midnight = h === 0 && mi === 0 && sec === 0 && frac === "";
      // Already normalized: hand back the very string.
      if (sep === 32 && hasSec && pos === len && (fracStart === 0 || fracEnd === len)) return s;
      return `${s.slice(0, 10)} ${s.slice(11, 16)}:${hasSec ? s.slice(17, 19) : "00"}${frac}`;
    }
    // local = UTC + offset  →  UTC = local - offset, on whole minutes (seconds and fraction unchanged)
    let total = daysFromCivil(y, mo, d) * 1440 + h * 60 + mi - offset;
    const days = Math.floor(total / 1440);
    total -= days * 1440;
    h = Math.floor(total / 60);
    mi = total - h * 60;
    const date = civilFromDays(days);
    if (date === null) return this.fail("year outside 0001..9999 after conversion to UTC");
    this.midnight = h === 0 && mi === 0 && sec === 0 && frac === "";
    return `${date} ${PAD2[h]}:${PAD2[mi]}:${PAD2[sec]}${frac}`;
  }

  /** UTC timestamp text of unix epoch milliseconds (an integral number), or null when outside years 1..9999. */
  epochMs(ms: number): string | null {
    if (!(ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS)) return null;
    const days = Math.floor(ms / 86400000);
    let rem = ms - days * 86400000;
    const h = Math.floor(rem / 3600000);
    rem -= h * 3600000;
    const mi = Math.floor(rem / 60000);
    rem -= mi * 60000;
    const sec = Math.floor(rem / 1000);
    const milli = rem - sec * 1000;
    if (days !== this.lastEpochDay) {
      this.lastEpochDate = civilFromDays(days)!;
      this.lastEpochDay = days;
    }
    this.midnight = rem === 0 && h === 0 && mi === 0;
    return `${this.lastEpochDate} ${PAD2[h]}:${PAD2[mi]}:${PAD2[sec]}${FRAC_MS[milli]}`;
  }

  /** Timestamp of an integer epoch value (its unit decided by its magnitude, epochUnitOf), or a reason string. */
  epoch(v: bigint | number, mixed: boolean): string | null {
    const unit = epochUnitOf(v);
    if (unit === null) return this.fail(NOT_AN_EPOCH);
    if (mixed && unit === "s" && (v >= EPOCH_S_AMBIGUOUS_MIN || v <= -EPOCH_S_AMBIGUOUS_MIN)) return this.fail(AMBIGUOUS_EPOCH);
    let n: number;
    if (typeof v === "bigint") {
      // Any in-range value is far below 2^53 ms; reject the rest before converting.
      if (v < -300000000000000n || v > 300000000000000n) return this.fail(`epoch ${unit} value outside years 0001..9999`);
      n = Number(v);
    } else {
      n = v;
    }
    return this.epochMs(unit === "s" ? n * 1000 : n) ?? this.fail(`epoch ${unit} value outside years 0001..9999`);
  }
}

/** A reader for the pure predicates below (they only look at the result). */
const shared = new TimestampReader();

/** The normalized UTC text of timestamp text, or null (TimestampReader.parse). */
export function parseTimestampText(s: string): string | null {
  return shared.parse(s);
}
