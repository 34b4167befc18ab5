/** @module The Lambda Runtime API that workers talk to, one server per worker. */
export {
  type Invocation,
  type InvocationOutcome,
  type InvocationRequest,
  MAX_RESPONSE_BYTES,
  platformError,
} from "./invocation.ts";
export { type RuntimeApiEvents, RuntimeApiServer } from "./server.ts";
export type { WorkerPids } from "./worker-gate.ts";
