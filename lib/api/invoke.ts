/** @module Invoke: `POST /2015-03-31/functions/{FunctionName}/invocations`. */
import type { Handler } from "hono";
import { InvokeHeadersSchema, MAX_ASYNC_PAYLOAD_BYTES, parseInput } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { functionArn, traceId } from "../functions/mod.ts";
import type { InvocationRequest } from "../runtime-api/mod.ts";
import { logTail } from "../scheduler/mod.ts";
import { decodeClientContext } from "./client-context.ts";
import { missingAuthentication } from "./auth.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { functionRefOf, parseJsonText } from "./request.ts";

const EMPTY_EVENT = new TextEncoder().encode("{}");

/** Builds the Invoke handler: RequestResponse, Event and DryRun, with log tails and client context. */
export function invokeHandler(deps: Pick<ApiDeps, "invocations" | "region" | "accountId">): Handler<ApiEnv> {
  return async (c) => {
    const ref = functionRefOf(c);
    const headers = parseInput(InvokeHeadersSchema, {
      invocationType: c.req.header("x-amz-invocation-type"),
      logType: c.req.header("x-amz-log-type"),
      clientContext: c.req.header("x-amz-client-context"),
    });
    const clientContext = decodeClientContext(headers.clientContext);
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (headers.invocationType === "Event" && body.byteLength > MAX_ASYNC_PAYLOAD_BYTES) {
      throw new LambdaError(
        "RequestTooLargeException",
        `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeAsync operation`,
      );
    }
    const principal = c.get("principal");
    // an unsigned caller learns nothing about functions it may not invoke, not even whether they exist
    const target = await deps.invocations.target(ref).catch((error: unknown) => {
      throw principal ? error : missingAuthentication();
    });
    if (!principal && target.config.edge.invokeAuthType !== "NONE") throw missingAuthentication();
    const binary = target.config.edge.inputPayloadEncodingType === "binary";
    if (!binary) checkJson(body);
    const requestId = c.get("requestId");
    const responseHeaders: Record<string, string> = { "X-Amz-Executed-Version": target.version };
    if (headers.invocationType === "DryRun") return c.body(null, 204, responseHeaders);
    const request: InvocationRequest = {
      requestId,
      payload: body.byteLength || binary ? body : EMPTY_EVENT,
      invokedFunctionArn: functionArn(deps.region, deps.accountId, ref.name, ref.qualifier),
      traceId: traceId(),
      captureLog: headers.logType === "Tail",
      ...(clientContext === undefined ? {} : { clientContext }),
    };
    if (headers.invocationType === "Event") {
      deps.invocations.enqueue({
        id: requestId,
        functionName: ref.name,
        version: target.version,
        invokedArn: request.invokedFunctionArn,
        payload: request.payload,
        clientContext: clientContext ?? null,
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

function checkJson(body: Uint8Array): void {
  if (body.byteLength !== 0) parseJsonText(new TextDecoder().decode(body));
}
