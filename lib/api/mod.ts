/** @module The Lambda-compatible HTTP API (2015-03-31). */
export { createApi } from "./app.ts";
export type { ApiDeps, ApiEnv } from "./context.ts";
export { functionArn, parseFunctionRef } from "./arn.ts";
export { startPinned } from "./pinned.ts";
export { createEventPipeline, traceId } from "./async-invocations.ts";
export { applyDeployment, recoverInterruptedDeployments } from "./deployments.ts";
