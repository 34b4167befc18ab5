/** @module Runs invocations on workers: pools per function version, warm reuse, deadlines. */
export { DEFAULT_POOL_LIMITS, Scheduler, type SchedulerOptions } from "./scheduler.ts";
export type { PoolLimits } from "./pool.ts";
export type { FunctionTarget } from "./target.ts";
