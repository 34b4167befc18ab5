/** @module The single place that turns errors into Lambda's wire format. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { LambdaError } from "../errors/mod.ts";
import { IsolationUnavailableError, PosixUserError } from "../sandbox/mod.ts";
import { RevisionMismatchError, UidRangeFullError } from "../store/mod.ts";
import type { ApiEnv } from "./context.ts";

/** Renders any error thrown by a handler as a Lambda service error response. */
export function renderError(error: Error, c: Context<ApiEnv>): Response {
  const lambdaError = toLambdaError(error);
  if (lambdaError.status >= 500) console.error(`[api] ${c.req.method} ${c.req.path}:`, error);
  return Response.json(
    { Type: lambdaError.fault, message: lambdaError.message, ...lambdaError.body },
    {
      status: lambdaError.status,
      headers: {
        "x-amzn-ErrorType": lambdaError.type,
        "x-amzn-RequestId": c.get("requestId") ?? crypto.randomUUID(),
        ...lambdaError.headers,
      },
    },
  );
}

/** The answer to a path no operation serves. */
export function unknownOperation(c: Context<ApiEnv>): Response {
  return renderError(
    new LambdaError("UnknownOperationException", `Unknown operation: ${c.req.method} ${c.req.path}`),
    c,
  );
}

function toLambdaError(error: Error): LambdaError {
  if (error instanceof LambdaError) return error;
  if (error instanceof RevisionMismatchError) {
    return new LambdaError("PreconditionFailedException", error.message);
  }
  if (error instanceof IsolationUnavailableError || error instanceof PosixUserError) {
    return new LambdaError("InvalidRuntimeException", error.message, { cause: error });
  }
  if (error instanceof UidRangeFullError) {
    return new LambdaError("ServiceException", error.message, { cause: error });
  }
  if (error instanceof HTTPException && error.status === 413) {
    return new LambdaError(
      "RequestTooLargeException",
      error.message || "Request must be smaller than 6291456 bytes",
    );
  }
  if (error instanceof HTTPException && error.status < 500) {
    return new LambdaError("InvalidRequestContentException", error.message, { cause: error });
  }
  return new LambdaError("ServiceException", "An internal error occurred in the agent; see its log", {
    cause: error,
  });
}
