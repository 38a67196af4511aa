/**
 * Typed errors. Every failure carries what a user needs to act on it: a stable `code`, the pipeline `stage`
 * it happened in, the database `object` concerned (table / column / row key), a `hint` that says how to fix
 * it, and the underlying `cause`. Only `cli/` turns these into exit codes.
 */
export type Stage =
  | "cli"
  | "introspect"
  | "profile"
  | "convert"
  | "plan"
  | "apply"
  | "copy"
  | "verify"
  | "sync"
  | "report";

/** What a problem is about; any subset may be known. */
export interface ObjectRef {
  readonly table?: string;
  readonly column?: string;
  /** Primary-key value(s) or rowid of the row concerned. */
  readonly row?: string;
}

/** Why the run stopped; `cli/` maps these kinds to exit codes (usage → 2, everything else → 1). */
export type ErrorKind = "usage" | "source" | "target" | "data" | "verification" | "internal";

export interface Sqlite2pgErrorOptions {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly stage: Stage;
  readonly object?: ObjectRef;
  readonly hint?: string;
  readonly cause?: unknown;
  /** Extra structured detail for reports (e.g. the list of conflicting tables). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class Sqlite2pgError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly stage: Stage;
  readonly object?: ObjectRef;
  readonly hint?: string;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(message: string, options: Sqlite2pgErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "Sqlite2pgError";
    this.code = options.code;
    this.kind = options.kind;
    this.stage = options.stage;
    this.object = options.object;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** PostgreSQL error fields worth keeping (SQLSTATE, detail, hint) when wrapping a `pg` error. */
export function pgErrorFields(err: unknown): { sqlstate?: string; detail?: string; pgHint?: string } {
  if (typeof err !== "object" || err === null) return {};
  const e = err as { code?: unknown; detail?: unknown; hint?: unknown };
  return {
    sqlstate: typeof e.code === "string" ? e.code : undefined,
    detail: typeof e.detail === "string" ? e.detail : undefined,
    pgHint: typeof e.hint === "string" ? e.hint : undefined,
  };
}

export function describeObject(object: ObjectRef | undefined): string {
  if (!object) return "";
  const parts: string[] = [];
  if (object.table !== undefined) parts.push(`table "${object.table}"`);
  if (object.column !== undefined) parts.push(`column "${object.column}"`);
  if (object.row !== undefined) parts.push(`row ${object.row}`);
  return parts.join(", ");
}
