/** @module Runs invocations on workers: pools per function version, warm reuse, deadlines. */
export { poolLimits, Scheduler, type SchedulerOptions } from "./scheduler.ts";
export type { PoolLimits } from "./pool.ts";
export type { FunctionTarget } from "./target.ts";
export type { InvocationResult } from "./worker.ts";
export { formatInvocationLog, LOG_TAIL_BYTES, logTail } from "./invocation-log.ts";
