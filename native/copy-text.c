/*
 * sqlite2pg's SQLite extension: s2p_copy_text(x), one value as a field of PostgreSQL's COPY text format.
 *
 * Why: the copy lets SQLite spell whole chunks of COPY text (src/copy/sql-chunks.ts). Escaping text with SQLite's
 * core functions takes four nested replace() calls, four passes over every byte, and was about half of SQLite's
 * time in the copy of a text-heavy table (docs/benchmarks.md, session 10). This function does it in one pass,
 * with the C library's strcspn to find the next byte to escape.
 *
 * It spells exactly what the replace() chain in src/values/sql-spelling.ts spells, byte for byte, and what the JS
 * encoders' escapeCopy (src/values/copy-text.ts) spells (both tested in test/integration/native-escape.test.ts):
 *   NULL            -> \N
 *   INTEGER         -> its decimal text (sqlite3_value_text, as replace() would convert it)
 *   TEXT            -> the stored bytes, with \ tab LF CR written \\ \t \n \r
 *                      (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format")
 *   REAL, BLOB      -> an error: the callers' guards never pass them (sql-spelling.ts sqlSpellingGuard)
 * A NUL byte or invalid UTF-8 is passed through unchanged; the caller checks every chunk for both and takes the
 * row path, which reports them.
 *
 * Registered by the extension's entry point (extension.c).
 */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <string.h>

static const char SPECIALS[] = "\\\t\n\r";

static void copy_text(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  int type = sqlite3_value_type(argv[0]);
  if (type == SQLITE_NULL) {
    sqlite3_result_text(ctx, "\\N", 2, SQLITE_STATIC);
    return;
  }
  if (type != SQLITE_TEXT && type != SQLITE_INTEGER) {
    sqlite3_result_error(ctx, "s2p_copy_text: a REAL or BLOB value", -1);
    return;
  }
  const char *s = (const char *)sqlite3_value_text(argv[0]);
  if (s == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  const char *end = s + sqlite3_value_bytes(argv[0]);
  /* sqlite3_value_text's result ends in a NUL, so strcspn stops at the end at the latest, or at an embedded NUL. */
  const char *p = s + strcspn(s, SPECIALS);
  if (p >= end) {
    sqlite3_result_value(ctx, argv[0]);
    return;
  }
  size_t n = (size_t)(end - s);
  size_t cap = n + (n >> 3) + 16;
  char *out = sqlite3_malloc64(cap);
  if (out == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  size_t w = 0;
  const char *from = s;
  for (;;) {
    size_t run = (size_t)(p - from);
    if (w + run + 2 > cap) {
      cap = (w + run + 2) * 2;
      char *bigger = sqlite3_realloc64(out, cap);
      if (bigger == NULL) {
        sqlite3_free(out);
        sqlite3_result_error_nomem(ctx);
        return;
      }
      out = bigger;
    }
    memcpy(out + w, from, run);
    w += run;
    if (p >= end) break;
    char c = *p;
    if (c == '\0') {
      out[w++] = c; /* an embedded NUL: kept, for the caller's check to find */
    } else {
      out[w++] = '\\';
      out[w++] = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
    }
    from = p + 1;
    p = from >= end ? end : from + strcspn(from, SPECIALS);
  }
  sqlite3_result_text64(ctx, out, w, sqlite3_free, SQLITE_UTF8);
}

int s2p_register_copy_text(sqlite3 *db) {
  return sqlite3_create_function(db, "s2p_copy_text", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, copy_text, NULL, NULL);
}
