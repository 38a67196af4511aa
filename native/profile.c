/*
 * s2p_profile(x, temporal): an aggregate that profiles one column in SQLite, for the values whose profile it can
 * compute exactly as the JS profile does (src/profile/profile.ts observe), and counts the others as "unhandled".
 * A column with any unhandled value is profiled in JS as before; otherwise this result is the column's profile.
 *
 * Why: the profile reads every value of every type-deciding column before the copy, and reading values into JS
 * (a BigInt per integer, a string per text) was most of its cost (docs/benchmarks.md, session 10).
 *
 * Handled, each exactly as observe() treats it:
 *   NULL     skipped;
 *   INTEGER  storage count, min/max, booleanLike (0/1 only), and when `temporal` the unix-time band of the value
 *            (src/values/timestamps.ts epochUnitOf, EPOCH_S_AMBIGUOUS_MIN);
 *   TEXT     valid UTF-8 only: storage count, longest length in code points, booleanLike (parseBooleanLike),
 *            "suspect" (holds U+FFFD or NUL); of the text starting with a digit, sign or point, the shapes
 *            YYYY-MM-DD and YYYY-MM-DD[ Tt]HH:MM:SS[.digits] (temporal, canonical date/timestamp:
 *            isCanonicalDateText / isCanonicalTimestampText, fractional-second digits) and the text observe()
 *            takes for neither a number nor a date or time (an IP address, a version).
 *   REAL     storage count, booleanLike, the integer range and digits of integral values, the integer and fraction
 *            digits of the others in their shortest round-trip form (JS's String(number)), as observe() does;
 * Unhandled: BLOB, an integral REAL beyond int64, text that is not valid UTF-8 (JS reads it with U+FFFD), numbers as text, and other
 * date- or time-looking text (times, zoned or partial timestamps).
 *
 * Result: JSON text, integers as JSON strings where they may exceed 2^53.
 * Tested against the JS profile value class by value class: test/integration/native-profile.test.ts.
 */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  int64_t non_null, integer, real, text, unhandled;
  int64_t max_integer_digits, max_fraction_digits;
  int has_int;
  int64_t min_int, max_int;
  int64_t max_text_length, max_second_fraction_digits;
  int not_boolean;
  int64_t temporal_texts, suspect_texts, canonical_timestamp_texts, canonical_date_texts;
  int64_t epoch_seconds, epoch_millis, epoch_implausible, epoch_late_seconds;
} Profile;

#define EPOCH_PLAUSIBLE_MIN 100000000LL
#define EPOCH_MS_MIN 100000000000LL
#define EPOCH_S_AMBIGUOUS_MIN 4102444800LL

/* epochUnitOf's bands (src/values/timestamps.ts), for a DATETIME or DATE column's integers. */
static void count_epoch(Profile *p, int64_t v) {
  if (v >= EPOCH_MS_MIN || v <= -EPOCH_MS_MIN) p->epoch_millis++;
  else if (v >= EPOCH_PLAUSIBLE_MIN || v <= -EPOCH_PLAUSIBLE_MIN) {
    p->epoch_seconds++;
    if (v >= EPOCH_S_AMBIGUOUS_MIN || v <= -EPOCH_S_AMBIGUOUS_MIN) p->epoch_late_seconds++;
  } else p->epoch_implausible++;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int days_in_month(int y, int m) {
  if (m == 2) return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : 28;
  return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
}

/* Code points of valid UTF-8 (WHATWG: no overlongs, no surrogates, at most U+10FFFF), or -1. Sets *suspect when the
 * text holds U+FFFD (EF BF BD) or a NUL. */
static int64_t utf8_code_points(const unsigned char *s, int64_t n, int *suspect) {
  int64_t points = 0;
  for (int64_t i = 0; i < n;) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c == 0) *suspect = 1;
      i++;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) return -1;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (i + 2 >= n) return -1;
      unsigned char c1 = s[i + 1], c2 = s[i + 2];
      if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80) return -1;
      if (c == 0xE0 && c1 < 0xA0) return -1; /* overlong */
      if (c == 0xED && c1 >= 0xA0) return -1; /* surrogate */
      if (c == 0xEF && c1 == 0xBF && c2 == 0xBD) *suspect = 1;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (i + 3 >= n) return -1;
      unsigned char c1 = s[i + 1];
      if ((c1 & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80) return -1;
      if (c == 0xF0 && c1 < 0x90) return -1; /* overlong */
      if (c == 0xF4 && c1 >= 0x90) return -1; /* above U+10FFFF */
      i += 4;
    } else {
      return -1;
    }
    points++;
  }
  return points;
}

/* parseBooleanLike on text: "1" "t" "T" "0" "f" "F", "true" and "false" in any ASCII case. */
static int boolean_text(const unsigned char *s, int64_t n) {
  if (n == 1) return strchr("1tT0fF", s[0]) != NULL && s[0] != 0;
  if (n == 4) return (s[0] | 32) == 't' && (s[1] | 32) == 'r' && (s[2] | 32) == 'u' && (s[3] | 32) == 'e';
  if (n == 5) return (s[0] | 32) == 'f' && (s[1] | 32) == 'a' && (s[2] | 32) == 'l' && (s[3] | 32) == 's' && (s[4] | 32) == 'e';
  return 0;
}

static int two(const unsigned char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/* Text starting with a digit, sign or point: 1 if it has one of the strict temporal shapes (and is counted), else 0. */
static int temporal_text(Profile *p, const unsigned char *s, int64_t n) {
  if (n < 10) return 0;
  for (int i = 0; i < 10; i++) {
    if (i == 4 || i == 7) {
      if (s[i] != '-') return 0;
    } else if (!is_digit(s[i])) return 0;
  }
  int y = two(s) * 100 + two(s + 2), mo = two(s + 5), d = two(s + 8);
  int real_date = y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo);
  if (n == 10) {
    p->temporal_texts++;
    if (real_date) p->canonical_date_texts++;
    return 1;
  }
  if (n < 19 || (s[10] != ' ' && s[10] != 'T' && s[10] != 't')) return 0;
  for (int i = 11; i < 19; i++) {
    if (i == 13 || i == 16) {
      if (s[i] != ':') return 0;
    } else if (!is_digit(s[i])) return 0;
  }
  int64_t digits = 0, significant = 0;
  if (n > 19) {
    if (s[19] != '.' || n == 20) return 0;
    for (int64_t i = 20; i < n; i++) {
      if (!is_digit(s[i])) return 0;
      if (s[i] != '0') significant = i - 19;
    }
    digits = n - 20;
  }
  p->temporal_texts++;
  if (significant > p->max_second_fraction_digits) p->max_second_fraction_digits = significant;
  int h = two(s + 11), mi = two(s + 14), sec = two(s + 17);
  /* isCanonicalTimestampText: a real date and time of day, a space, and a fraction of at most 6 digits that does not
   * end in 0 (PostgreSQL prints none), i.e. the parser hands back the very text. */
  if (real_date && s[10] == ' ' && h <= 23 && mi <= 59 && sec <= 59 && (digits == 0 || (digits <= 6 && significant == digits)))
    p->canonical_timestamp_texts++;
  return 1;
}

/* DECIMAL_TEXT of profile.ts (INT_TEXT is a subset): [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)? */
static int decimal_text(const unsigned char *s, int64_t n) {
  int64_t i = 0, a = 0, b = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) i++;
  while (i < n && is_digit(s[i])) i++, a++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && is_digit(s[i])) i++, b++;
  }
  if (a == 0 && b == 0) return 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    int64_t e = 0;
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    while (i < n && is_digit(s[i])) i++, e++;
    if (e == 0) return 0;
  }
  return i == n;
}

/*
 * Text starting with a digit, sign or point, as observe() reads it: a number (integer or decimal text) is left to
 * JS (0); else text with ':' third or '-' fifth is temporal-looking, handled only in the strict shapes
 * (temporal_text); any other such text (an IP address, a version, a phone number) gets no further statistic (1).
 * The positions are JS string indexes: with a non-ASCII byte among the first five they could differ, so such text
 * is left to JS.
 */
static int other_numeric_start(Profile *p, const unsigned char *s, int64_t n) {
  if (decimal_text(s, n)) return 0;
  for (int64_t i = 0; i < 5 && i < n; i++)
    if (s[i] >= 0x80) return 0;
  if ((n > 2 && s[2] == ':') || (n > 4 && s[4] == '-')) {
    if (temporal_text(p, s, n)) return 1;
    /* TEMPORAL_TEXT and SECOND_FRACTION need a time `dd:dd` that ends there or goes on with ':', or a date
     * `dddd-dd-dd` followed by [ Tt] (a bare date was taken above): other text (an IPv6 address such as 5d:… or
     * 74:3528:…) gets no statistic there. What could match is left to JS. */
    if (n >= 5 && is_digit(s[0]) && is_digit(s[1]) && s[2] == ':' && is_digit(s[3]) && is_digit(s[4])) return n > 5 && s[5] != ':';
    if (n >= 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-' && is_digit(s[5]) &&
        is_digit(s[6]) && s[7] == '-' && is_digit(s[8]) && is_digit(s[9]))
      return n > 10 && s[10] != ' ' && s[10] != 'T' && s[10] != 't';
    return 1;
  }
  return 1;
}

/*
 * Significant digits k and exponent e of the shortest decimal that reads back as v (v = 0.d1…dk × 10^e), as JS's
 * Number-to-String picks it (the fewest digits that round-trip). A normal double has 15.95 decimal digits of
 * precision: when any decimal of at most 15 digits reads back as v it is the nearest 15-digit one padded with zeros (another
 * 15-digit decimal is at least 10^-15 |v| away, v's neighbours at most 2^-53 |v|), which glibc's exactly rounded
 * %.14e prints; so the 15-digit rounding, its trailing zeros dropped, decides k ≤ 15 in one try. Otherwise k is 16
 * if the 16-digit rounding reads back as v, else 17.
 */
static void shortest_digits(double v, int *k, int *e) {
  char buf[40];
  if (fabs(v) < DBL_MIN) {
    /* Subnormal: fewer digits of precision, so several 15-digit decimals read back as v. Search the digit count
     * (reading back is monotonic in it). */
    int lo = 1, hi = 17;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      snprintf(buf, sizeof buf, "%.*e", mid - 1, v);
      if (strtod(buf, NULL) == v) hi = mid;
      else lo = mid + 1;
    }
    snprintf(buf, sizeof buf, "%.*e", lo - 1, v);
    *k = lo;
    *e = atoi(strchr(buf, 'e') + 1) + 1;
    return;
  }
  snprintf(buf, sizeof buf, "%.14e", v);
  if (strtod(buf, NULL) == v) {
    char *exp = strchr(buf, 'e');
    int digits = 15;
    for (char *q = exp - 1; digits > 1 && *q == '0'; q--) digits--;
    *k = digits;
    *e = atoi(exp + 1) + 1;
    return;
  }
  snprintf(buf, sizeof buf, "%.15e", v);
  if (strtod(buf, NULL) == v) {
    *k = 16;
  } else {
    snprintf(buf, sizeof buf, "%.16e", v);
    *k = 17;
  }
  *e = atoi(strchr(buf, 'e') + 1) + 1;
}

/*
 * A REAL as observe() reads a JS number: storage count, booleanLike (0 or 1, -0 included), and for finite values an
 * integral one counts for the integer range (and the unix-time bands when temporal) and its digits, any other its
 * integer and fraction digits of the shortest round-trip form. 0 when the value is left to JS: an integral value
 * beyond int64.
 */
static int real_value(Profile *p, double v, int temporal) {
  if (!isfinite(v)) {
    p->real++;
    if (v != 0 && v != 1) p->not_boolean = 1;
    return 1;
  }
  double a = fabs(v);
  int integral = v == floor(v);
  if (integral && a >= 9.2233720368547758e18) return 0;
  p->real++;
  if (v != 0 && v != 1) p->not_boolean = 1;
  if (integral) {
    int64_t i = (int64_t)v;
    if (!p->has_int) {
      p->has_int = 1;
      p->min_int = p->max_int = i;
    } else {
      if (i < p->min_int) p->min_int = i;
      if (i > p->max_int) p->max_int = i;
    }
    if (temporal) count_epoch(p, i);
    /* integralNumberDigits: digits of the integer part (0 for 0) */
    int64_t d = 0;
    for (double q = 1; a >= q; q *= 10) d++;
    if (d > p->max_integer_digits) p->max_integer_digits = d;
  } else {
    int k, e;
    shortest_digits(v, &k, &e);
    int64_t int_digits = e > 0 ? e : 0, frac_digits = k - e > 0 ? k - e : 0;
    if (int_digits > p->max_integer_digits) p->max_integer_digits = int_digits;
    if (frac_digits > p->max_fraction_digits) p->max_fraction_digits = frac_digits;
  }
  return 1;
}

static void step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  Profile *p = sqlite3_aggregate_context(ctx, sizeof(Profile));
  if (p == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  int type = sqlite3_value_type(argv[0]);
  if (type == SQLITE_NULL) return;
  p->non_null++;
  if (type == SQLITE_INTEGER) {
    int64_t v = sqlite3_value_int64(argv[0]);
    p->integer++;
    if (!p->has_int) {
      p->has_int = 1;
      p->min_int = p->max_int = v;
    } else if (v < p->min_int) p->min_int = v;
    else if (v > p->max_int) p->max_int = v;
    if (v != 0 && v != 1) p->not_boolean = 1;
    if (argc > 1 && sqlite3_value_int(argv[1])) count_epoch(p, v);
    return;
  }
  if (type == SQLITE_FLOAT) {
    if (!real_value(p, sqlite3_value_double(argv[0]), argc > 1 && sqlite3_value_int(argv[1]))) p->unhandled++;
    return;
  }
  if (type != SQLITE_TEXT) {
    p->unhandled++;
    return;
  }
  const unsigned char *s = sqlite3_value_text(argv[0]);
  if (s == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  int64_t n = sqlite3_value_bytes(argv[0]);
  int suspect = 0;
  int64_t points = utf8_code_points(s, n, &suspect);
  unsigned char c = n > 0 ? s[0] : 0;
  int numeric_start = is_digit(c) || c == '+' || c == '-' || c == '.';
  if (points < 0 || (numeric_start && !other_numeric_start(p, s, n))) {
    p->unhandled++;
    return;
  }
  p->text++;
  if (points > p->max_text_length) p->max_text_length = points;
  if (!boolean_text(s, n)) p->not_boolean = 1;
  if (suspect) p->suspect_texts++;
}

static void final(sqlite3_context *ctx) {
  Profile empty;
  Profile *p = sqlite3_aggregate_context(ctx, 0);
  if (p == NULL) {
    memset(&empty, 0, sizeof empty);
    p = &empty;
  }
  char out[1024];
  char lo[32] = "null", hi[32] = "null";
  if (p->has_int) {
    snprintf(lo, sizeof lo, "\"%lld\"", (long long)p->min_int);
    snprintf(hi, sizeof hi, "\"%lld\"", (long long)p->max_int);
  }
  int len = snprintf(out, sizeof out,
                     "{\"nonNull\":%lld,\"integer\":%lld,\"real\":%lld,\"text\":%lld,\"maxIntegerDigits\":%lld,\"maxFractionDigits\":%lld,\"unhandled\":%lld,\"minInt\":%s,\"maxInt\":%s,"
                     "\"maxTextLength\":%lld,\"maxSecondFractionDigits\":%lld,\"booleanLike\":%s,\"temporalTexts\":%lld,"
                     "\"suspectTexts\":%lld,\"canonicalTimestampTexts\":%lld,\"canonicalDateTexts\":%lld,"
                     "\"epochSeconds\":%lld,\"epochMillis\":%lld,\"epochImplausible\":%lld,\"epochLateSeconds\":%lld}",
                     (long long)p->non_null, (long long)p->integer, (long long)p->real, (long long)p->text, (long long)p->max_integer_digits,
                     (long long)p->max_fraction_digits, (long long)p->unhandled, lo, hi,
                     (long long)p->max_text_length, (long long)p->max_second_fraction_digits, p->not_boolean ? "false" : "true",
                     (long long)p->temporal_texts, (long long)p->suspect_texts, (long long)p->canonical_timestamp_texts,
                     (long long)p->canonical_date_texts, (long long)p->epoch_seconds, (long long)p->epoch_millis,
                     (long long)p->epoch_implausible, (long long)p->epoch_late_seconds);
  sqlite3_result_text(ctx, out, len, SQLITE_TRANSIENT);
}

int s2p_register_profile(sqlite3 *db) {
  return sqlite3_create_function(db, "s2p_profile", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, NULL, step, final);
}
