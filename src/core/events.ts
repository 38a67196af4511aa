/**
 * Progress is a stream of events; the CLI decides how to render them (bars on a TTY, plain lines otherwise,
 * nothing with --quiet). Library users pass their own listener.
 */
export type PipelineEvent =
  | { readonly type: "stage-start"; readonly stage: string; readonly message: string }
  | { readonly type: "stage-end"; readonly stage: string; readonly ms: number }
  | { readonly type: "table-start"; readonly table: string; readonly totalRows: number }
  | { readonly type: "table-progress"; readonly table: string; readonly rows: number; readonly totalRows: number }
  | { readonly type: "table-end"; readonly table: string; readonly rows: number; readonly ms: number }
  | { readonly type: "warning"; readonly message: string }
  | { readonly type: "info"; readonly message: string };

export type EventListener = (event: PipelineEvent) => void;

export const noopListener: EventListener = () => {};

/** Time a stage and announce its start and end. */
export async function timedStage<T>(
  emit: EventListener,
  stage: string,
  message: string,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  emit({ type: "stage-start", stage, message });
  const result = await run();
  emit({ type: "stage-end", stage, ms: performance.now() - started });
  return result;
}
