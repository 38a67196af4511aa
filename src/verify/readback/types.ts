/** The read-back's results per model and difference (client-readback.ts, readback-relations.ts). */

export interface ReadBackDifference {
  readonly model: string;
  /** `field=value` of the key fields. */
  readonly key: string;
  /** The field, or "(row)" when the row is missing in PostgreSQL. */
  readonly field: string;
  readonly sqlite: string;
  readonly postgres: string;
}

export interface ReadBackModel {
  readonly model: string;
  /** "failed": PostgreSQL could not be read through the client although SQLite could, or the model is missing from the SQLite schema. */
  readonly status: "compared" | "not-compared" | "failed";
  readonly rows: number;
  /** Sampled rows absent from PostgreSQL because the migration left them out on purpose. */
  readonly leftOut?: number;
  readonly reason?: string;
  readonly differences: readonly ReadBackDifference[];
  /** What the SQLite side could not read although the value landed (readback-compare.ts unreadableOnSqlite). */
  readonly notes?: readonly string[];
  /** Fields left out of the comparison, and why. */
  readonly fieldsNotCompared: readonly { readonly field: string; readonly reason: string }[];
  /**
   * Set when this entry is an implicit many-to-many relation (`model` is then its relation table, `rows` the links
   * read): the relation fields read, `Model.field` (readback-relations.ts).
   */
  readonly relation?: readonly string[];
  /**
   * Set when this entry is a view (views.ts; `model` is its view block, `rows` the rows paired): how many rows the
   * view has in SQLite. Its first rows in byte order, up to the sample size, are compared as a multiset.
   */
  readonly view?: { readonly total: number };
}
