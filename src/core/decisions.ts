/** A choice the converter made that a reviewer should see (report line and `///` comment). */
export interface Decision {
  readonly table: string;
  readonly column?: string;
  /** Stable machine-readable tag, e.g. "type", "default", "index-name", "no-primary-key". */
  readonly code: string;
  readonly message: string;
}

export function describeDecision(d: Decision): string {
  const where = d.column === undefined ? d.table : `${d.table}.${d.column}`;
  return `${where}: ${d.message}`;
}
