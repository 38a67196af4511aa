/** Library API. */
export { migrate, type MigrateOptions, type MigrateSummary } from "./pipeline/migrate.js";
export { convertSchema, type ConvertInput, type ConvertResult, type TablePlan } from "./convert/convert.js";
export { Sqlite2pgError } from "./errors.js";
export { checkDrift, type DriftOptions, type DriftResult } from "./verify/drift.js";
export type { PipelineEvent, EventListener } from "./pipeline/events.js";
