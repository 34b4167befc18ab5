/** @module What the agent hands a worker, and what comes back. */

/** Lambda's limit on a synchronous response, in bytes. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

/** One invocation as the Runtime API hands it to a worker. */
export interface Invocation {
  /** Lambda-Runtime-Aws-Request-Id. */
  requestId: string;
  /** The event, as sent by the caller. */
  payload: Uint8Array;
  /** Epoch milliseconds by which the function must answer. */
  deadlineMs: number;
  /** The ARN the caller used, qualifier included when it gave one. */
  invokedFunctionArn: string;
  /** Lambda-Runtime-Trace-Id. */
  traceId: string;
  /** The decoded client context JSON, when the caller sent one. */
  clientContext?: string;
  /** The Cognito identity JSON, when there is one. */
  cognitoIdentity?: string;
}

/** An invocation as the caller asked for it; the worker sets the deadline when it starts the work. */
export interface InvocationRequest extends Omit<Invocation, "deadlineMs"> {
  /** Whether the caller wants the invocation's log (`X-Amz-Log-Type: Tail`); it costs a little. @default false */
  captureLog?: boolean;
}

/** How an invocation ended, as the worker (or the agent on its behalf) reported it. */
export type InvocationOutcome =
  | { kind: "success"; body: Uint8Array }
  | { kind: "error"; errorType: string; body: Uint8Array };

/** Builds a platform error outcome with Lambda's `{errorType, errorMessage}` body. */
export function platformError(errorType: string, errorMessage: string): InvocationOutcome {
  return {
    kind: "error",
    errorType,
    body: new TextEncoder().encode(JSON.stringify({ errorType, errorMessage })),
  };
}
