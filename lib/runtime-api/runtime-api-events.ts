/** @module What a worker's Runtime API is told by, and tells, its owner. */
import type { InvocationOutcome } from "./invocation.ts";
import type { ExtensionsOptions } from "./extension-types.ts";
import type { GateBudgets } from "./worker-gate.ts";

/** What a worker's Runtime API reports to its owner. */
export interface RuntimeApiEvents {
  /** The worker asked for its next invocation while none was pending: it is ready. */
  onReady(): void;
  /** The worker reported an initialization error outside any invocation. */
  onInitError(outcome: InvocationOutcome): void;
  /** Receives one line for each request refused because it does not come from the worker. @default console.warn */
  warn?(line: string): void;
  /** What checking new connections may cost. @default the agent's shared budgets */
  budgets?: GateBudgets;
  /**
   * How many `GET /invocation/next` the worker may have parked at once (its function's `Edge.maxConcurrency`):
   * one more is refused with `InvalidStateTransition`. @default 1
   */
  maxConcurrency?: number;
  /** The most a streamed response may carry, in bytes. @default MAX_STREAMED_RESPONSE_BYTES */
  maxStreamedBytes?: number;
  /**
   * The Extensions API's view of the function. With external extensions it is served from the start; else it
   * comes to life at the first extension request (an internal extension). @default none: extension requests get 404
   */
  extensions?: ExtensionsOptions;
}
