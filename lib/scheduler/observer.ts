/** @module What the scheduler tells as it works, for the parts above that count and log it (metrics, the agent's log). */
import type { WorkerProcess } from "../sandbox/mod.ts";
import type { FunctionTarget } from "./target.ts";
import type { InvocationResult } from "./worker-types.ts";

/** Why an invocation was refused: the function's reserved concurrency is in use, or its pool's queue is full. */
export type ThrottleReason = "reserved-concurrency" | "queue-full";

/**
 * Why a worker's process ended: kept warm too long without work, stopped while idle to make room for another
 * function's worker (the memory budget was spent), its pool retired (the function changed or went),
 * it exited on its own, the kernel killed it at its memory limit, it passed an invocation's deadline, or the agent
 * stops.
 */
export type WorkerStopReason =
  | "idle-timeout"
  | "evicted"
  | "retired"
  | "crashed"
  | "out-of-memory"
  | "timeout"
  | "agent-stopping";

/** How a worker ended: why, and its process's exit as words (`exit status 1`, `signal: killed`). */
export interface WorkerStop {
  /** Why it ended. */
  reason: WorkerStopReason;
  /** Its exit status, described. */
  exit: string;
}

/**
 * Told of each event of the scheduler's work where it happens, on the invocation's own path: every method must be
 * cheap (no I/O) and must not throw.
 */
export interface SchedulerObserver {
  /** An invocation of `target` ended with `result` (a function error, a timeout or a failed start is a result too). */
  invoked(target: FunctionTarget, result: InvocationResult): void;
  /** An invocation of `target` was refused for lack of capacity (429 `TooManyRequestsException`), for `reason`. */
  throttled(target: FunctionTarget, reason: ThrottleReason): void;
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
  /** A ready worker of `target` has exited, for `stop.reason` (told once its process is gone). */
  workerStopped?(target: FunctionTarget, stop: WorkerStop): void;
}

/** One observer that tells each of `observers` in turn. */
export function observeAll(...observers: SchedulerObserver[]): SchedulerObserver {
  return {
    invoked: (target, result) => observers.forEach((each) => each.invoked(target, result)),
    throttled: (target, reason) => observers.forEach((each) => each.throttled(target, reason)),
    workerStarting: (target) => observers.forEach((each) => each.workerStarting(target)),
    workerReady: (target, ms) => observers.forEach((each) => each.workerReady(target, ms)),
    workerSpawned: (target, process) => observers.forEach((each) => each.workerSpawned(target, process)),
    ran: (target, ms) => observers.forEach((each) => each.ran(target, ms)),
    pinnedRestarted: (target) => observers.forEach((each) => each.pinnedRestarted(target)),
    workerStopped: (target, stop) => observers.forEach((each) => each.workerStopped?.(target, stop)),
  };
}
