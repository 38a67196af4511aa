/** Library API. */
export { migrate, type MigrateOptions } from "./pipeline/migrate.js";
export { type MigrateSummary, type PlanSummary, type VerificationFailure } from "./report/summary-types.js";
export { convertSchema, type ConvertInput, type ConvertResult, type TablePlan } from "./convert/convert.js";
export { nameSchema, type NamingMode, type NamingResult } from "./convert/naming/index.js";
export { Sqlite2pgError } from "./core/errors.js";
export { checkDrift, type DriftOptions, type DriftResult } from "./verify/drift/drift.js";
export type { PipelineEvent, EventListener } from "./core/events.js";
