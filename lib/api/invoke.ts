/** @module Invoke: `POST /2015-03-31/functions/{FunctionName}/invocations`. */
import type { Context, Handler } from "hono";
import {
  type InvokeHeaders,
  InvokeHeadersSchema,
  MAX_ASYNC_PAYLOAD_BYTES,
  parseInput,
} from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { logTail } from "../scheduler/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { prepareInvocation } from "./invocation-request.ts";

type InvokeDeps = Pick<ApiDeps, "invocations" | "region" | "accountId">;

/** The headers of a request that sets none of them, as the schema reads them: most requests, so no parse. */
const DEFAULT_HEADERS: InvokeHeaders = { invocationType: "RequestResponse", logType: "None" };

function invokeHeadersOf(c: Context<ApiEnv>): InvokeHeaders {
  const invocationType = c.req.header("x-amz-invocation-type");
  const logType = c.req.header("x-amz-log-type");
  const clientContext = c.req.header("x-amz-client-context");
  if (invocationType === undefined && logType === undefined && clientContext === undefined) {
    return DEFAULT_HEADERS;
  }
  return parseInput(InvokeHeadersSchema, { invocationType, logType, clientContext });
}

/** Runs (or queues, or dry-runs) the Invoke request `c` with its body already read. */
export async function invokeWithBody(
  c: Context<ApiEnv>,
  deps: InvokeDeps,
  body: Uint8Array,
): Promise<Response> {
  const headers = invokeHeadersOf(c);
  if (headers.invocationType === "Event" && body.byteLength > MAX_ASYNC_PAYLOAD_BYTES) {
    throw new LambdaError(
      "RequestTooLargeException",
      `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeAsync operation`,
    );
  }
  const { target, request } = await prepareInvocation(c, deps, { headers, body });
  if (headers.invocationType === "DryRun") {
    return c.body(null, 204, { "X-Amz-Executed-Version": target.version });
  }
  if (headers.invocationType === "Event") {
    await deps.invocations.accept({
      id: request.requestId,
      functionName: target.config.functionName,
      version: target.version,
      invokedArn: request.invokedFunctionArn,
      payload: request.payload,
      clientContext: request.clientContext ?? null,
      enqueuedAt: Date.now(),
    });
    return c.body(null, 202, { "X-Amz-Executed-Version": target.version });
  }
  const { outcome, log } = await deps.invocations.run(target, request);
  const responseHeaders: Record<string, string> = {
    "X-Amz-Executed-Version": target.version,
    "Content-Type": "application/json",
  };
  if (headers.logType === "Tail") responseHeaders["X-Amz-Log-Result"] = logTail(log);
  if (outcome.kind === "error") responseHeaders["X-Amz-Function-Error"] = "Unhandled";
  return c.body(outcome.body as Uint8Array<ArrayBuffer>, 200, responseHeaders);
}

/** Builds the Invoke handler: RequestResponse, Event and DryRun, with log tails and client context. */
export function invokeHandler(deps: InvokeDeps): Handler<ApiEnv> {
  return async (c) => await invokeWithBody(c, deps, new Uint8Array(await c.req.arrayBuffer()));
}
