/** @module The last invocations of each function, from their REPORT records, in a small ring per function. */
import type { WorkerLogEntry } from "../logs/mod.ts";

/** One finished invocation. */
export interface RecentInvocation {
  /** The request id. */
  requestId: string;
  /** When its REPORT was written (ISO 8601). */
  time: string;
  /** Milliseconds from delivery to outcome. */
  durationMs: number;
  /** How it ended. */
  status: "success" | "error" | "timeout";
  /** Milliseconds its worker took to start, on a cold start. */
  initDurationMs?: number;
}

/** Keeps the last `perFunction` invocations of each function (in memory: a restart forgets them). */
export class RecentInvocations {
  readonly #byFunction = new Map<string, RecentInvocation[]>();
  readonly #perFunction: number;

  constructor(perFunction = 20) {
    this.#perFunction = perFunction;
  }

  /** Takes what a worker reported; only REPORT entries count. */
  record(functionName: string, entry: WorkerLogEntry): void {
    if (entry.kind !== "report") return;
    const ring = this.#byFunction.get(functionName) ?? [];
    ring.push({
      requestId: entry.report.requestId,
      time: new Date().toISOString(),
      durationMs: entry.report.durationMs,
      status: entry.report.status,
      ...(entry.report.initDurationMs === undefined ? {} : { initDurationMs: entry.report.initDurationMs }),
    });
    if (ring.length > this.#perFunction) ring.shift();
    this.#byFunction.set(functionName, ring);
  }

  /** The function's last invocations, newest first. */
  of(functionName: string): RecentInvocation[] {
    return [...(this.#byFunction.get(functionName) ?? [])].reverse();
  }

  /** The last invocation's error of the function, if its last one failed. */
  lastFailure(functionName: string): RecentInvocation | undefined {
    return [...(this.#byFunction.get(functionName) ?? [])].reverse().find((item) =>
      item.status !== "success"
    );
  }

  /** Forgets a deleted function. */
  forget(functionName: string): void {
    this.#byFunction.delete(functionName);
  }
}
