/** @module Runs invocations on workers: on-demand and pinned pools per function version, deadlines, drain. */
export { poolLimits, Scheduler, type SchedulerOptions, type VersionStatus } from "./scheduler.ts";
export type { PoolLimits, PoolStatus } from "./pool-types.ts";
export type { AdmissionStatus } from "./admission.ts";
export type { ProvisionResult } from "./on-demand-pool.ts";
export { unweighedWorkers } from "./on-demand-pool.ts";
export type { FunctionTarget } from "./target.ts";
export {
  observeAll,
  type SchedulerObserver,
  type ThrottleReason,
  type WorkerStop,
  type WorkerStopReason,
} from "./observer.ts";
export type { InvocationResult, WorkerGrant } from "./worker-types.ts";
export { type StreamedInvocation, streamedInvocation } from "./streamed-invocation.ts";
export { formatInvocationLog, LOG_TAIL_BYTES, logTail } from "./invocation-log.ts";
export { type LogOutput, LogWriter, type LogWriterOptions } from "./log-writer.ts";
