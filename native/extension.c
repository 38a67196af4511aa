/*
 * sqlite2pg's SQLite extension: the entry point, which registers the functions of copy-text.c (s2p_copy_text),
 * profile.c (s2p_profile), jsonb-text.c (s2p_jsonb_copy) and lines.c (s2p_copy_line, s2p_copy_lines) on a
 * connection. Loaded by src/db/sqlite-extension.ts; built by build.js.
 *
 * Loadable extension API: https://sqlite.org/loadext.html. SQLite is reached only through the routine table it
 * hands to the entry point, so the module links against no SQLite of its own and works with the one better-sqlite3
 * embeds.
 */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

int s2p_register_copy_text(sqlite3 *db);
int s2p_register_profile(sqlite3 *db);
int s2p_register_jsonb_text(sqlite3 *db);
int s2p_register_lines(sqlite3 *db);

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_sqlitepg_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  (void)error;
  SQLITE_EXTENSION_INIT2(api);
  int rc = s2p_register_copy_text(db);
  if (rc == SQLITE_OK) rc = s2p_register_profile(db);
  if (rc == SQLITE_OK) rc = s2p_register_jsonb_text(db);
  return rc != SQLITE_OK ? rc : s2p_register_lines(db);
}
