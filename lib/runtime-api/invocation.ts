/** @module What the agent hands a worker, and what comes back. */

/** Lambda's limit on a synchronous response, in bytes. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

/** Lambda's limit on a streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`), in bytes: 200 MiB. */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;

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
  /**
   * Receives a response the worker streams, as soon as it starts (its headers arrive with its first bytes); the
   * outcome then comes when the stream has ended, with an empty body on success. Unset, a streamed response is
   * gathered and answered whole, within {@linkcode MAX_RESPONSE_BYTES}, as Lambda does for a plain Invoke.
   * @default none
   */
  onResponseStream?(response: StreamedResponse): void;
}

/** A response the worker streams, handed over while it arrives. */
export interface StreamedResponse {
  /** The Content-Type the runtime declared. @default "application/octet-stream" */
  contentType: string;
  /**
   * The bytes as the worker writes them. It closes when the response ends, however it ends (the outcome says
   * how); reading it slowly slows the worker's writes down, and cancelling it drops the rest of the response.
   */
  body: ReadableStream<Uint8Array>;
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
