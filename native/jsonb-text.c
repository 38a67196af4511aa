/*
 * sqlite2pg's SQLite extension: s2p_jsonb_copy(x), a JSON text as a COPY text field of what PostgreSQL's jsonb_out
 * prints for it.
 *
 * Why: jsonb keeps the value, not the text, so the copy sends the text jsonb_out will print back (the sent
 * checksums compare the two byte for byte, src/values/pg-text.ts). Spelling that in JS cost the blog benchmark's
 * copy ~0.27 s of its main thread at 360k rows (events.payload, posts.metadata: docs/benchmarks.md, session 11).
 *
 * It spells exactly what the JS encoder spells (escapeCopy(pgJsonbText(x)), src/values/json.ts), for the JSON it
 * handles, and hands everything else to it (tested against each other and against PostgreSQL in
 * test/integration/native-jsonb.test.ts):
 *   NULL     -> \N
 *   INTEGER  -> its decimal text (the JS encoder's bigint.toString())
 *   TEXT     -> valid JSON (RFC 8259) printed as jsonb_out prints it (https://www.postgresql.org/docs/current/datatype-json.html):
 *               no whitespace between tokens, ", " and ": " separators, object keys sorted by byte length and then
 *               bytewise, strings with escapes decoded and written again as escape_json writes them (\" \\ \b \f
 *               \n \r \t, other bytes below 0x20 as \u00xx), numbers without an exponent as numeric prints them
 *               (the literal, a negative zero without its sign); then escaped for COPY (\ written \\)
 * and a single NUL byte for anything else: a number with an exponent, a repeated key (jsonb keeps the last value,
 * and the JS encoder reports it), \u0000 or an unpaired surrogate escape (jsonb refuses them), invalid JSON,
 * nesting deeper than MAX_DEPTH, a REAL or a BLOB. The copy takes the row path for any chunk holding a NUL byte
 * (src/copy/sql-chunks.ts), whose JS encoder then spells the value or reports the problem. Invalid UTF-8 is passed
 * through as it is, and caught by the same per-chunk check.
 *
 * Registered by the extension's entry point (extension.c).
 */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <stdlib.h>
#include <string.h>

/* Deeper nesting is left to the JS encoder (its printer is recursive too, and reports what it cannot print). */
#define MAX_DEPTH 64

typedef struct {
  char *p;
  size_t n, cap;
  int oom;
} Buf;

static void buf_reserve(Buf *b, size_t more) {
  if (b->oom || b->n + more <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->n + more) cap *= 2;
  char *q = realloc(b->p, cap);
  if (q == NULL) {
    b->oom = 1;
    return;
  }
  b->p = q;
  b->cap = cap;
}

static void buf_put(Buf *b, const char *s, size_t n) {
  buf_reserve(b, n);
  if (b->oom) return;
  memcpy(b->p + b->n, s, n);
  b->n += n;
}

static void buf_byte(Buf *b, char c) {
  buf_reserve(b, 1);
  if (b->oom) return;
  b->p[b->n++] = c;
}

typedef struct {
  const unsigned char *s, *end;
  int depth;
} Parser;

static void skip_space(Parser *ps) {
  while (ps->s < ps->end && (*ps->s == ' ' || *ps->s == '\t' || *ps->s == '\n' || *ps->s == '\r')) ps->s++;
}

static int hex4(const unsigned char *s, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned c = s[i], d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return 0;
    v = v * 16 + d;
  }
  *out = v;
  return 1;
}

static void put_utf8(Buf *b, unsigned cp) {
  char t[4];
  size_t n;
  if (cp < 0x80) {
    t[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    t[0] = (char)(0xC0 | (cp >> 6));
    t[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    t[0] = (char)(0xE0 | (cp >> 12));
    t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    t[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    t[0] = (char)(0xF0 | (cp >> 18));
    t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    t[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  buf_put(b, t, n);
}

/* A string (at its opening quote): its decoded bytes appended to `out`. 0: not one the function handles. */
static int decode_string(Parser *ps, Buf *out) {
  ps->s++; /* the opening quote */
  for (;;) {
    const unsigned char *run = ps->s;
    while (ps->s < ps->end && *ps->s != '"' && *ps->s != '\\' && *ps->s >= 0x20) ps->s++;
    buf_put(out, (const char *)run, (size_t)(ps->s - run));
    if (ps->s >= ps->end || *ps->s < 0x20) return 0; /* unterminated, or a raw control character */
    if (*ps->s == '"') {
      ps->s++;
      return 1;
    }
    /* a backslash */
    if (ps->end - ps->s < 2) return 0;
    unsigned char e = ps->s[1];
    ps->s += 2;
    switch (e) {
      case '"': buf_byte(out, '"'); break;
      case '\\': buf_byte(out, '\\'); break;
      case '/': buf_byte(out, '/'); break;
      case 'b': buf_byte(out, '\b'); break;
      case 'f': buf_byte(out, '\f'); break;
      case 'n': buf_byte(out, '\n'); break;
      case 'r': buf_byte(out, '\r'); break;
      case 't': buf_byte(out, '\t'); break;
      case 'u': {
        unsigned cp, lo;
        if (ps->end - ps->s < 4 || !hex4(ps->s, &cp)) return 0;
        ps->s += 4;
        if (cp == 0) return 0; /* jsonb refuses \u0000 */
        if (cp >= 0xDC00 && cp <= 0xDFFF) return 0; /* a low surrogate alone */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (ps->end - ps->s < 6 || ps->s[0] != '\\' || ps->s[1] != 'u' || !hex4(ps->s + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) return 0;
          ps->s += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        put_utf8(out, cp);
        break;
      }
      default:
        return 0;
    }
  }
}

/* Decoded string bytes written as escape_json writes them, quotes included. */
static void put_escaped(Buf *out, const char *s, size_t n) {
  static const char HEX[] = "0123456789abcdef";
  buf_byte(out, '"');
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    buf_put(out, s + from, i - from);
    from = i + 1;
    switch (c) {
      case '"': buf_put(out, "\\\"", 2); break;
      case '\\': buf_put(out, "\\\\", 2); break;
      case '\b': buf_put(out, "\\b", 2); break;
      case '\f': buf_put(out, "\\f", 2); break;
      case '\n': buf_put(out, "\\n", 2); break;
      case '\r': buf_put(out, "\\r", 2); break;
      case '\t': buf_put(out, "\\t", 2); break;
      default: {
        char u[6] = {'\\', 'u', '0', '0', HEX[c >> 4], HEX[c & 15]};
        buf_put(out, u, 6);
      }
    }
  }
  buf_put(out, s + from, n - from);
  buf_byte(out, '"');
}

/* Beyond this exponent the JS encoder decides (it does not build the digits either: pg-text.ts MAX_EXPONENT). */
#define MAX_EXPONENT 1000

/*
 * A number as numeric_out prints what numeric_in read (pg-text.ts pgNumericText): the digits with the decimal point
 * moved by the exponent, the display scale being the fraction digits minus the exponent (never below 0), no
 * leading zeros, and no sign on a zero: "1.50" -> 1.50, "1e2" -> 100, "1.5e-7" -> 0.00000015, "-0.0" -> 0.0.
 * 0: not valid JSON, or an exponent beyond MAX_EXPONENT.
 */
static int number(Parser *ps, Buf *out) {
  const unsigned char *p = ps->s;
  int negative = 0;
  if (p < ps->end && *p == '-') {
    negative = 1;
    p++;
  }
  if (p >= ps->end || *p < '0' || *p > '9') return 0;
  const unsigned char *intAt = p;
  if (*p == '0') p++;
  else
    while (p < ps->end && *p >= '0' && *p <= '9') p++;
  size_t intLen = (size_t)(p - intAt);
  const unsigned char *fracAt = p;
  size_t fracLen = 0;
  if (p < ps->end && *p == '.') {
    p++;
    fracAt = p;
    if (p >= ps->end || *p < '0' || *p > '9') return 0;
    while (p < ps->end && *p >= '0' && *p <= '9') p++;
    fracLen = (size_t)(p - fracAt);
  }
  long exp = 0;
  if (p < ps->end && (*p == 'e' || *p == 'E')) {
    p++;
    int expNegative = 0;
    if (p < ps->end && (*p == '+' || *p == '-')) expNegative = *p++ == '-';
    if (p >= ps->end || *p < '0' || *p > '9') return 0;
    while (p < ps->end && *p >= '0' && *p <= '9') {
      if (exp <= MAX_EXPONENT) exp = exp * 10 + (*p - '0');
      p++;
    }
    if (exp > MAX_EXPONENT) return 0;
    if (expNegative) exp = -exp;
  }
  ps->s = p;
  /* digit i of intDigits ++ fracDigits, with zeros around them as the point moves */
  long total = (long)(intLen + fracLen);
  long point = (long)intLen + exp; /* position of the point among the digits */
  long first = point < 0 ? point : 0;            /* leading zeros needed: from `first` on */
  long last = point > total ? point : total;     /* trailing zeros needed: up to `last` */
#define DIGIT(i) ((i) < 0 || (i) >= total ? '0' : (i) < (long)intLen ? (char)intAt[(i)] : (char)fracAt[(i) - (long)intLen])
  long start = first;
  while (start < point && start < last && DIGIT(start) == '0') start++; /* no leading zeros before the point */
  int zero = 1;
  for (long i = first; i < last && zero; i++) zero = DIGIT(i) == '0';
  if (negative && !zero) buf_byte(out, '-');
  if (start >= point) buf_byte(out, '0');
  for (long i = start; i < point; i++) buf_byte(out, DIGIT(i));
  if (last > point) {
    buf_byte(out, '.');
    for (long i = point < first ? first : point; i < last; i++) buf_byte(out, DIGIT(i));
  }
#undef DIGIT
  return 1;
}

static int value(Parser *ps, Buf *out);

typedef struct {
  size_t key, keyLen, val, valLen; /* offsets into the object's key and value buffers */
  const char *keyAt;               /* the key's bytes, once the buffer no longer moves (for the sort) */
} Member;

/* jsonb's key order (byte length, then bytes); no shared state, so connections on other threads may sort too. */
static int by_jsonb_key(const void *a, const void *b) {
  const Member *x = a, *y = b;
  if (x->keyLen != y->keyLen) return x->keyLen < y->keyLen ? -1 : 1;
  return memcmp(x->keyAt, y->keyAt, x->keyLen);
}

static int object(Parser *ps, Buf *out) {
  ps->s++; /* { */
  skip_space(ps);
  if (ps->s < ps->end && *ps->s == '}') {
    ps->s++;
    buf_put(out, "{}", 2);
    return 1;
  }
  Buf keys = {0}, vals = {0};
  Member *members = NULL;
  size_t count = 0, cap = 0;
  int ok = 0;
  for (;;) {
    skip_space(ps);
    if (ps->s >= ps->end || *ps->s != '"') goto done;
    if (count == cap) {
      cap = cap ? cap * 2 : 8;
      Member *m = realloc(members, cap * sizeof *members);
      if (m == NULL) goto done;
      members = m;
    }
    Member *m = &members[count++];
    m->key = keys.n;
    if (!decode_string(ps, &keys)) goto done;
    m->keyLen = keys.n - m->key;
    skip_space(ps);
    if (ps->s >= ps->end || *ps->s != ':') goto done;
    ps->s++;
    m->val = vals.n;
    if (!value(ps, &vals)) goto done;
    m->valLen = vals.n - m->val;
    skip_space(ps);
    if (ps->s >= ps->end) goto done;
    if (*ps->s == '}') {
      ps->s++;
      break;
    }
    if (*ps->s != ',') goto done;
    ps->s++;
  }
  if (keys.oom || vals.oom) goto done;
  for (size_t i = 0; i < count; i++) members[i].keyAt = keys.p + members[i].key;
  qsort(members, count, sizeof *members, by_jsonb_key);
  buf_byte(out, '{');
  for (size_t i = 0; i < count; i++) {
    /* A repeated key: jsonb keeps the last one written; the JS encoder reports the values it drops. */
    if (i > 0 && by_jsonb_key(&members[i], &members[i - 1]) == 0) goto done;
    if (i > 0) buf_put(out, ", ", 2);
    put_escaped(out, keys.p + members[i].key, members[i].keyLen);
    buf_put(out, ": ", 2);
    buf_put(out, vals.p + members[i].val, members[i].valLen);
  }
  buf_byte(out, '}');
  ok = 1;
done:
  free(keys.p);
  free(vals.p);
  free(members);
  return ok;
}

static int array(Parser *ps, Buf *out) {
  ps->s++; /* [ */
  skip_space(ps);
  buf_byte(out, '[');
  if (ps->s < ps->end && *ps->s == ']') {
    ps->s++;
    buf_byte(out, ']');
    return 1;
  }
  for (;;) {
    if (!value(ps, out)) return 0;
    skip_space(ps);
    if (ps->s >= ps->end) return 0;
    if (*ps->s == ']') {
      ps->s++;
      buf_byte(out, ']');
      return 1;
    }
    if (*ps->s != ',') return 0;
    ps->s++;
    buf_put(out, ", ", 2);
  }
}

static int literal(Parser *ps, Buf *out, const char *word, size_t n) {
  if ((size_t)(ps->end - ps->s) < n || memcmp(ps->s, word, n) != 0) return 0;
  ps->s += n;
  buf_put(out, word, n);
  return 1;
}

static int value(Parser *ps, Buf *out) {
  skip_space(ps);
  if (ps->s >= ps->end) return 0;
  int ok;
  switch (*ps->s) {
    case '{':
    case '[':
      if (++ps->depth > MAX_DEPTH) return 0;
      ok = *ps->s == '{' ? object(ps, out) : array(ps, out);
      ps->depth--;
      return ok;
    case '"': {
      Buf decoded = {0};
      ok = decode_string(ps, &decoded) && !decoded.oom;
      if (ok) put_escaped(out, decoded.p ? decoded.p : "", decoded.n);
      free(decoded.p);
      return ok;
    }
    case 't': return literal(ps, out, "true", 4);
    case 'f': return literal(ps, out, "false", 5);
    case 'n': return literal(ps, out, "null", 4);
    default: return number(ps, out);
  }
}

static const char UNHANDLED[1] = {0};

static void jsonb_copy(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  int type = sqlite3_value_type(argv[0]);
  if (type == SQLITE_NULL) {
    sqlite3_result_text(ctx, "\\N", 2, SQLITE_STATIC);
    return;
  }
  if (type == SQLITE_INTEGER) {
    sqlite3_result_text(ctx, (const char *)sqlite3_value_text(argv[0]), -1, SQLITE_TRANSIENT);
    return;
  }
  if (type != SQLITE_TEXT) {
    sqlite3_result_text(ctx, UNHANDLED, 1, SQLITE_STATIC);
    return;
  }
  const unsigned char *s = sqlite3_value_text(argv[0]);
  if (s == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  Parser ps = {s, s + sqlite3_value_bytes(argv[0]), 0};
  Buf out = {0};
  int ok = value(&ps, &out);
  skip_space(&ps);
  if (!ok || ps.s != ps.end || out.oom) {
    free(out.p);
    if (out.oom) sqlite3_result_error_nomem(ctx);
    else sqlite3_result_text(ctx, UNHANDLED, 1, SQLITE_STATIC);
    return;
  }
  /* For COPY: jsonb's text holds no tab, newline or carriage return (escaped inside strings, dropped between
   * tokens), so only its backslashes are doubled. */
  size_t backslashes = 0;
  for (size_t i = 0; i < out.n; i++) backslashes += out.p[i] == '\\';
  if (backslashes == 0) {
    sqlite3_result_text64(ctx, out.p, out.n, free, SQLITE_UTF8);
    return;
  }
  char *copy = sqlite3_malloc64(out.n + backslashes);
  if (copy == NULL) {
    free(out.p);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  size_t w = 0;
  for (size_t i = 0; i < out.n; i++) {
    copy[w++] = out.p[i];
    if (out.p[i] == '\\') copy[w++] = '\\';
  }
  free(out.p);
  sqlite3_result_text64(ctx, copy, w, sqlite3_free, SQLITE_UTF8);
}

int s2p_register_jsonb_text(sqlite3 *db) {
  return sqlite3_create_function(db, "s2p_jsonb_copy", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, jsonb_copy, NULL, NULL);
}
