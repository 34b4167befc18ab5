/** @module The Runtime API's answers to a worker, and what its error reports mean. */
import type { Invocation } from "./invocation.ts";

const JSON_TYPE = { "Content-Type": "application/json" };

/** For an answer given before the request's body was read: Bun would otherwise parse the rest as a request. */
export const CLOSE = { Connection: "close" };

/** The error type a worker reported: its header, else the `errorType` of its JSON body, else `Unknown`. */
export function errorTypeOf(header: string | null, body: Uint8Array): string {
  if (header) return header;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    if (
      parsed && typeof parsed === "object" && "errorType" in parsed && typeof parsed.errorType === "string"
    ) {
      return parsed.errorType;
    }
  } catch {
    // not JSON: the type stays unknown
  }
  return "Unknown";
}

/** Lambda's `{errorType, errorMessage}` error JSON. */
export function errorBody(errorType: string, errorMessage: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ errorType, errorMessage }));
}

/** 202 `{"status":"OK"}`: the worker's answer is taken. */
export function accepted(headers: Record<string, string> = {}): Response {
  return new Response('{"status":"OK"}', { status: 202, headers: { ...JSON_TYPE, ...headers } });
}

/** An error in the Runtime API's shape, `{errorMessage, errorType}`. */
export function reply(
  status: number,
  errorType: string,
  errorMessage: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ errorMessage, errorType }), {
    status,
    headers: { ...JSON_TYPE, ...headers },
  });
}

/** `GET /invocation/next`'s answer: the invocation's payload, with its context in `Lambda-Runtime-*` headers. */
export function invocationResponse(invocation: Invocation): Response {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Lambda-Runtime-Aws-Request-Id": invocation.requestId,
    "Lambda-Runtime-Deadline-Ms": String(invocation.deadlineMs),
    "Lambda-Runtime-Invoked-Function-Arn": invocation.invokedFunctionArn,
    "Lambda-Runtime-Trace-Id": invocation.traceId,
  };
  if (invocation.clientContext !== undefined) {
    headers["Lambda-Runtime-Client-Context"] = invocation.clientContext;
  }
  if (invocation.cognitoIdentity !== undefined) {
    headers["Lambda-Runtime-Cognito-Identity"] = invocation.cognitoIdentity;
  }
  return new Response(invocation.payload, { headers });
}

/** 403: the invocation `id` has been answered already. */
export function alreadyAnswered(id: string, headers: Record<string, string> = {}): Response {
  return reply(403, "InvalidStateTransition", `Invocation ${id} has already been answered`, headers);
}

/** The answer to a request whose client went away: no one reads it. */
export function gone(): Response {
  return reply(400, "ConnectionClosed", "The request ended before its body did", CLOSE);
}

/** Headers for an answer that leaves `req`'s body unread: a chunked one (trailers and all) closes the connection. */
export function unread(req: Request): Record<string, string> {
  return req.body && req.headers.get("content-length") === null ? CLOSE : {};
}
