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
export { RuntimeApiServer } from "./server.ts";
export type { RuntimeApiEvents } from "./runtime-api-events.ts";
export { LookupBudget, type LookupBudgetOptions } from "./lookup-budget.ts";
export type { GateBudgets, WorkerPids } from "./worker-gate.ts";
export {
  type ExtensionMetadata,
  type ExtensionsOptions,
  MAX_EXTENSIONS,
  type ShutdownReason,
} from "./extension-types.ts";
export { ExtensionsApi } from "./extensions.ts";
export {
  parseSubscription,
  type Subscription,
  TELEMETRY_BUFFERING,
  type TelemetryCategory,
  TelemetryHub,
  type TelemetryRecord,
  TelemetrySubscriber,
} from "./telemetry.ts";
