/** @module Invoke: `POST /2015-03-31/functions/{FunctionName}/invocations`. */
import type { Handler } from "hono";
import { InvokeHeadersSchema, MAX_ASYNC_PAYLOAD_BYTES, parseInput } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { logTail } from "../scheduler/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { prepareInvocation } from "./invocation-request.ts";

/** Builds the Invoke handler: RequestResponse, Event and DryRun, with log tails and client context. */
export function invokeHandler(deps: Pick<ApiDeps, "invocations" | "region" | "accountId">): Handler<ApiEnv> {
  return async (c) => {
    const headers = parseInput(InvokeHeadersSchema, {
      invocationType: c.req.header("x-amz-invocation-type"),
      logType: c.req.header("x-amz-log-type"),
      clientContext: c.req.header("x-amz-client-context"),
    });
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (headers.invocationType === "Event" && body.byteLength > MAX_ASYNC_PAYLOAD_BYTES) {
      throw new LambdaError(
        "RequestTooLargeException",
        `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeAsync operation`,
      );
    }
    const { target, request } = await prepareInvocation(c, deps, { headers, body });
    const responseHeaders: Record<string, string> = { "X-Amz-Executed-Version": target.version };
    if (headers.invocationType === "DryRun") return c.body(null, 204, responseHeaders);
    if (headers.invocationType === "Event") {
      deps.invocations.enqueue({
        id: request.requestId,
        functionName: target.config.functionName,
        version: target.version,
        invokedArn: request.invokedFunctionArn,
        payload: request.payload,
        clientContext: request.clientContext ?? null,
        enqueuedAt: Date.now(),
      });
      return c.body(null, 202, responseHeaders);
    }
    const { outcome, log } = await deps.invocations.run(target, request);
    if (headers.logType === "Tail") responseHeaders["X-Amz-Log-Result"] = logTail(log);
    if (outcome.kind === "error") responseHeaders["X-Amz-Function-Error"] = "Unhandled";
    return c.body(outcome.body as Uint8Array<ArrayBuffer>, 200, {
      ...responseHeaders,
      "Content-Type": "application/json",
    });
  };
}
