/** What a `sync` pass returns, as data, and its printed form. */

export interface SyncTableSummary {
  readonly table: string;
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  /** Ranges whose SQLite digest changed (read from both sides), of how many. */
  readonly rangesChanged: number;
  readonly ranges: number;
  /** Rows now in the table. */
  readonly rows: number;
  readonly ms: number;
}

export interface SyncSummary {
  readonly ok: boolean;
  readonly sqlitePath: string;
  /** The target, password redacted. */
  readonly target: string;
  readonly pgSchema: string;
  readonly tables: readonly SyncTableSummary[];
  readonly totals: { readonly inserted: number; readonly updated: number; readonly deleted: number };
  /** The changed ranges read back from PostgreSQL equal SQLite's rows encoded (rows compared). */
  readonly verified: { readonly tables: number; readonly rows: number };
  /** Sequences moved (table → the last id handed out). */
  readonly sequences: readonly { readonly table: string; readonly last: string }[];
  /** This target's passes so far, this one included. */
  readonly pass: number;
  readonly ms: number;
}

export function formatSyncSummary(s: SyncSummary): string {
  const width = Math.max(5, ...s.tables.map((t) => t.table.length));
  const lines = [`${"table".padEnd(width)}  inserted  updated  deleted  ranges changed      time`];
  for (const t of s.tables) {
    lines.push(
      `${t.table.padEnd(width)}  ${String(t.inserted).padStart(8)}  ${String(t.updated).padStart(7)}  ${String(t.deleted).padStart(7)}  ${`${t.rangesChanged}/${t.ranges}`.padStart(14)}  ${`${Math.round(t.ms)} ms`.padStart(8)}`,
    );
  }
  const { inserted, updated, deleted } = s.totals;
  lines.push(
    "",
    inserted + updated + deleted === 0
      ? `PostgreSQL was already level with ${s.sqlitePath}: nothing written (pass ${s.pass}, ${Math.round(s.ms)} ms)`
      : `synced ${s.sqlitePath} into ${s.target}: ${inserted} inserted, ${updated} updated, ${deleted} deleted in one transaction; ${s.verified.rows} row(s) of ${s.verified.tables} table(s) read back and identical (pass ${s.pass}, ${Math.round(s.ms)} ms)`,
  );
  return lines.join("\n");
}
