/** What `migrate` and `plan` return: the run's results as data, rendered by report/ and judged by cli/. */
import type { Decision } from "../core/decisions.js";
import type { ObjectRef } from "../core/errors.js";
import type { DataProblem, ProblemGroup } from "../core/problems.js";
import type { StageTiming } from "../core/stage-timings.js";
import type { Suggestion } from "../copy/remedies.js";
import type { OrphanPolicy } from "../profile/orphans.js";
import type { CountCheck } from "../verify/counts.js";
import type { CoverageResult } from "../verify/coverage.js";
import type { DriftResult } from "../verify/drift/drift.js";
import type { ReadBackResult } from "../verify/readback/check.js";
import type { IndependentResult } from "../verify/independent/independent-check.js";
import type { TableVerification } from "../verify/content/compare-table.js";
import type { ProjectFiles } from "../prisma-project/prisma-project.js";
import type { AppChanges } from "../verify/behaviour/types.js";
export interface TableSummary {
  readonly table: string;
  readonly rows: number;
  readonly rejected: number;
  readonly skipped: number;
  readonly ms: number;
}

export interface ContentCheck {
  readonly table: string;
  readonly ok: boolean;
  /** How the rows were compared (compare-table.ts TableVerification.method). */
  readonly method: TableVerification["method"];
  readonly sourceChecksum: string | null;
  readonly targetChecksum: string | null;
  readonly differences: number;
}

export interface MigrateSummary {
  readonly source: string;
  /** The target URL with its password redacted. */
  readonly target: string;
  readonly pgSchema: string;
  /** The embedded target (PGlite) and its data directory; absent for a server. */
  readonly embedded?: { readonly dataDir: string };
  readonly schemaPath: string;
  readonly migrationPath: string;
  readonly checksum: string;
  readonly tables: readonly TableSummary[];
  readonly decisions: readonly Decision[];
  readonly counts: readonly CountCheck[];
  /** Every table and column of the SQLite file: migrated (checked in PostgreSQL's catalog) or left out, and why. */
  readonly coverage: CoverageResult;
  /** What was verified: "full" = counts and every row's content, "counts", or "none". */
  readonly verified: "full" | "counts" | "none";
  /** With --verify=full: does the database match migrations/ (replayed in a shadow, catalogs compared)? */
  readonly drift?: DriftResult;
  /** With --verify=full: a sample of rows per model read through Prisma Client from both databases, compared. */
  readonly readBack?: ReadBackResult;
  /** What changes for the app: text ordering, case-sensitive matching, stricter types — measured on the data. */
  readonly appChanges: AppChanges;
  readonly content: readonly ContentCheck[];
  /** With --verify=full/deep: PostgreSQL's values decoded by pg's parsers against SQLite's (a sample, or every row). */
  readonly independent?: IndependentResult;
  /** Rejected rows (onError "reject"): where they are and how many. */
  readonly rejects?: { readonly path: string; readonly count: number };
  readonly orphans: { readonly policy: OrphanPolicy; readonly found: number; readonly cascaded: number; readonly droppedForeignKeys: number };
  readonly timings: Readonly<Record<string, number>>;
  /** Every stage's step with its start (from the run's start) and wall time, in start order. */
  readonly stages: readonly StageTiming[];
  readonly ok: boolean;
  /** The first verification that failed (then `ok` is false): the data is committed, this says what differs. */
  readonly failure?: VerificationFailure;
  /** Existing Prisma project mode (`--schema`): what was replaced in place and where the originals are. */
  readonly project?: ProjectFiles & { readonly schemaCheck: "identical" | "names" };
}

export interface PlanSummary {
  readonly source: string;
  readonly schemaPath: string;
  readonly migrationPath: string;
  readonly checksum: string;
  readonly tables: readonly { readonly table: string; readonly rows: number }[];
  readonly decisions: readonly Decision[];
  /** Values that cannot be converted exactly (listed up to a cap) and how many in all. */
  readonly problems: readonly DataProblem[];
  readonly problemCount: number;
  readonly orphans: readonly DataProblem[];
  /** Every table and column of the file: planned, or left out and why (a gap is refused before this). */
  readonly coverage: CoverageResult;
  /** The problems and orphans by column (exact counts), and the flags that would let migrate proceed. */
  readonly problemGroups: readonly ProblemGroup[];
  readonly suggestion: Suggestion | null;
  /** What changes for the app (ordering not measured: plan has no target). */
  readonly appChanges: AppChanges;
}

/** A verification that failed after the commit, as data: cli/ prints it as an error and exits 1. */
export interface VerificationFailure {
  readonly code: "VERIFY_COVERAGE" | "VERIFY_COUNTS" | "VERIFY_CONTENT" | "VERIFY_INDEPENDENT" | "VERIFY_READBACK" | string;
  readonly message: string;
  readonly object: ObjectRef;
  readonly hint: string;
}
