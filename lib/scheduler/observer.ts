/** @module What the scheduler tells as it works, for a part above that counts it (the agent's metrics). */
import type { WorkerProcess } from "../sandbox/mod.ts";
import type { FunctionTarget } from "./target.ts";
import type { InvocationResult } from "./worker.ts";

/**
 * Told of each event of the scheduler's work where it happens, on the invocation's own path: every method must be
 * cheap (no I/O) and must not throw.
 */
export interface SchedulerObserver {
  /** An invocation of `target` ended with `result` (a function error, a timeout or a failed start is a result too). */
  invoked(target: FunctionTarget, result: InvocationResult): void;
  /** An invocation of `target` was refused for lack of capacity (429 `TooManyRequestsException`). */
  throttled(target: FunctionTarget): void;
  /** A worker of `target` starts (a cold start), whether or not the start succeeds. */
  workerStarting(target: FunctionTarget): void;
  /** A worker of `target` asked for its first invocation, `initDurationMs` after its start began. */
  workerReady(target: FunctionTarget, initDurationMs: number): void;
  /**
   * A worker process of `target` was spawned; it lives until `process.exited` resolves, when `oomKills()` tells how
   * many of its processes the kernel killed for memory over its life.
   */
  workerSpawned(target: FunctionTarget, process: WorkerProcess): void;
  /** A worker of `target` ran an invocation for `durationMs` (from delivery to its answer, crash or deadline). */
  ran(target: FunctionTarget, durationMs: number): void;
  /** The failed pinned worker of `target` is started again. */
  pinnedRestarted(target: FunctionTarget): void;
}
