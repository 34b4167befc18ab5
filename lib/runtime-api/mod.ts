/** @module The Lambda Runtime API that workers talk to, one server per worker. */
export {
  type Invocation,
  type InvocationOutcome,
  type InvocationRequest,
  MAX_RESPONSE_BYTES,
  MAX_STREAMED_RESPONSE_BYTES,
  platformError,
  type StreamedResponse,
} from "./invocation.ts";
export { type RuntimeApiEvents, RuntimeApiServer } from "./server.ts";
export { LookupBudget, type LookupBudgetOptions } from "./lookup-budget.ts";
export type { GateBudgets, WorkerPids } from "./worker-gate.ts";
export {
  type ExtensionMetadata,
  ExtensionsApi,
  type ExtensionsOptions,
  MAX_EXTENSIONS,
  type ShutdownReason,
} from "./extensions.ts";
export {
  parseSubscription,
  type Subscription,
  TELEMETRY_BUFFERING,
  type TelemetryCategory,
  TelemetryHub,
  type TelemetryRecord,
  TelemetrySubscriber,
} from "./telemetry.ts";
