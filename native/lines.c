/*
 * sqlite2pg's SQLite extension: the two functions that assemble a chunk of COPY text from fields SQLite already
 * spelled (src/copy/sql-chunks.ts, src/values/sql-spelling.ts).
 *
 *   s2p_copy_line(f1, …, fN)  f1 TAB f2 … TAB fN LF, as one value. The fields are taken as text, the conversion
 *                             `||` applies (https://sqlite.org/lang_expr.html#operators: an INTEGER prints in
 *                             decimal, a BLOB's bytes are taken as they are); any NULL field makes the line NULL,
 *                             as it makes `f1 || char(9) || …` NULL.
 *   s2p_copy_lines(r, line)   aggregate: the non-NULL lines one after another, as group_concat(line, '') does, and
 *                             only while r (the rowid) strictly increases from row to row; a row out of order makes
 *                             the result NULL, which the copy treats as "take the row path for this chunk".
 *
 * Why: the chunk query spelled a line as a balanced tree of `||` (each operator allocates and copies its operands)
 * and, where JS-spelled columns are spliced in line by line, needed `group_concat(line, '' ORDER BY r)`, whose
 * sorter stores and sorts every line of the chunk although the subquery reads them in rowid order already.
 * Checking the order instead of imposing it gives the same guarantee (line n is the row with the n-th rowid) for
 * none of that cost; the text is the same bytes (test/integration/native-lines.test.ts).
 *
 * Registered by the extension's entry point (extension.c).
 */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT3
#include <string.h>

static void copy_line(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_uint64 n = (sqlite3_uint64)argc; /* the TABs and the LF */
  for (int i = 0; i < argc; i++) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) return; /* NULL, as `||` gives */
    /* sqlite3_value_text converts an INTEGER or REAL first; bytes is then the text's length. */
    if (sqlite3_value_text(argv[i]) == NULL) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    n += (sqlite3_uint64)sqlite3_value_bytes(argv[i]);
  }
  char *out = sqlite3_malloc64(n > 0 ? n : 1);
  if (out == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_uint64 w = 0;
  for (int i = 0; i < argc; i++) {
    int len = sqlite3_value_bytes(argv[i]);
    memcpy(out + w, sqlite3_value_text(argv[i]), (size_t)len);
    w += (sqlite3_uint64)len;
    out[w++] = i + 1 < argc ? '\t' : '\n';
  }
  sqlite3_result_text64(ctx, out, w, sqlite3_free, SQLITE_UTF8);
}

typedef struct {
  char *buf;
  sqlite3_uint64 used;
  sqlite3_uint64 cap;
  sqlite3_int64 last;
  int started;
  int unordered;
  int nomem;
} Lines;

static void lines_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  Lines *acc = sqlite3_aggregate_context(ctx, sizeof(Lines));
  if (acc == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (acc->unordered || acc->nomem) return;
  if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER) {
    acc->unordered = 1;
    return;
  }
  sqlite3_int64 r = sqlite3_value_int64(argv[0]);
  if (acc->started && r <= acc->last) {
    acc->unordered = 1;
    return;
  }
  acc->started = 1;
  acc->last = r;
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL) return; /* skipped, as group_concat skips it */
  const unsigned char *text = sqlite3_value_text(argv[1]);
  if (text == NULL) {
    acc->nomem = 1;
    return;
  }
  sqlite3_uint64 len = (sqlite3_uint64)sqlite3_value_bytes(argv[1]);
  if (acc->used + len > acc->cap) {
    sqlite3_uint64 cap = acc->cap > 0 ? acc->cap : 64 * 1024;
    while (cap < acc->used + len) cap *= 2;
    char *bigger = sqlite3_realloc64(acc->buf, cap);
    if (bigger == NULL) {
      acc->nomem = 1;
      return;
    }
    acc->buf = bigger;
    acc->cap = cap;
  }
  memcpy(acc->buf + acc->used, text, (size_t)len);
  acc->used += len;
}

static void lines_final(sqlite3_context *ctx) {
  Lines *acc = sqlite3_aggregate_context(ctx, 0);
  if (acc == NULL) return; /* no rows: NULL, as group_concat */
  if (acc->nomem) {
    sqlite3_free(acc->buf);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (acc->unordered || acc->buf == NULL) {
    /* Out of order, or only NULL lines (group_concat gives NULL then too). */
    sqlite3_free(acc->buf);
    return;
  }
  /* A BLOB, as CAST(group_concat(…) AS BLOB) gave: the caller checks the bytes are UTF-8 itself. */
  sqlite3_result_blob64(ctx, acc->buf, acc->used, sqlite3_free);
}

int s2p_register_lines(sqlite3 *db) {
  int rc = sqlite3_create_function(db, "s2p_copy_line", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, copy_line, NULL, NULL);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_create_function(db, "s2p_copy_lines", 2, SQLITE_UTF8 | SQLITE_INNOCUOUS, NULL, NULL, lines_step, lines_final);
}
