/** @module The Lambda-compatible HTTP API (2015-03-31): routes, signatures, and errors in Lambda's wire format. */
export { createApi } from "./app.ts";
export { AWS_CREDENTIALS_PATH } from "./aws-credentials.ts";
export type { ApiDeps, ApiEnv } from "./context.ts";
export { toLambdaError } from "./errors.ts";
export { eventSources, type FunctionEventSources } from "./event-sources.ts";
export { createRestRouteApp } from "./rest-route-requests.ts";
