/**
 * SQLite SQL as the converter reads it: a tokenizer (tokens.ts), a CREATE TABLE parser (create-table.ts) and a
 * conservative SQLite → PostgreSQL expression translator (translate.ts, its whitelist in translate-rules.ts).
 */
export * from "./tokens.js";
export * from "./create-table.js";
export { translate } from "./translate.js";
export type { ColumnKind, TranslateResult, TranslateScope } from "./translate-rules.js";
