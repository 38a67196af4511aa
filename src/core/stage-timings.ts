/**
 * Every stage's wall time as data, pgcopydb-style: the events a run emits are also recorded as rows (stage,
 * step, when it started relative to the run, how long it took), so the summary prints a stage table, the JSON
 * report has it and the benchmark reads it. Stages may overlap (the introspection runs beside the profile, the
 * drift check beside the content verification): each row has its own start.
 */
import type { EventListener } from "./events.js";

export interface StageTiming {
  readonly stage: string;
  readonly step: string;
  /** Milliseconds from the start of the run. */
  readonly startMs: number;
  readonly ms: number;
}

export interface StageRecorder {
  /** Forwards every event to the original listener and records the stages. */
  readonly emit: EventListener;
  /** The finished stages in start order. */
  stages(): StageTiming[];
}

export function recordStages(emit: EventListener, t0 = performance.now()): StageRecorder {
  const open = new Map<string, { step: string; startMs: number }[]>();
  const done: StageTiming[] = [];
  return {
    emit(event) {
      if (event.type === "stage-start") {
        const list = open.get(event.stage) ?? [];
        list.push({ step: event.message, startMs: performance.now() - t0 });
        open.set(event.stage, list);
      } else if (event.type === "stage-end") {
        const started = open.get(event.stage)?.pop();
        if (started) done.push({ stage: event.stage, step: started.step, startMs: started.startMs, ms: event.ms });
      }
      emit(event);
    },
    stages: () => [...done].sort((a, b) => a.startMs - b.startMs),
  };
}
