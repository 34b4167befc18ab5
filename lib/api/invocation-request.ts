/** @module What Invoke and InvokeWithResponseStream share: the function to run and the request to run it with. */
import type { Context } from "hono";
import type { InvokeHeaders } from "../config/mod.ts";
import { functionArn, traceId } from "../functions/mod.ts";
import type { InvocationRequest } from "../runtime-api/mod.ts";
import type { FunctionTarget } from "../scheduler/mod.ts";
import { missingAuthentication } from "./auth.ts";
import { decodeClientContext } from "./client-context.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { functionRefOf, parseJsonText } from "./request.ts";

const EMPTY_EVENT = new TextEncoder().encode("{}");
const UTF8 = new TextDecoder();

/** A validated invocation: the version it runs, and the request for the worker. */
export interface PreparedInvocation {
  /** The version the name and qualifier resolved to. */
  target: FunctionTarget;
  /** The request, its event checked (JSON unless the function takes binary input). */
  request: InvocationRequest;
}

/**
 * Resolves the function the path names and builds the request for `body`. An unsigned caller is served only for
 * a function whose `Edge.invokeAuthType` is `NONE`, and learns nothing of any other, not even whether it exists.
 */
export async function prepareInvocation(
  c: Context<ApiEnv>,
  deps: Pick<ApiDeps, "invocations" | "region" | "accountId">,
  input: { headers: Pick<InvokeHeaders, "logType" | "clientContext">; body: Uint8Array },
): Promise<PreparedInvocation> {
  const ref = functionRefOf(c);
  const clientContext = decodeClientContext(input.headers.clientContext);
  const principal = c.get("principal");
  const target = await deps.invocations.target(ref).catch((error: unknown) => {
    throw principal ? error : missingAuthentication();
  });
  if (!principal && target.config.edge.invokeAuthType !== "NONE") throw missingAuthentication();
  const { body } = input;
  const binary = target.config.edge.inputPayloadEncodingType === "binary";
  if (!binary && body.byteLength !== 0) parseJsonText(UTF8.decode(body));
  const request: InvocationRequest = {
    requestId: c.get("requestId"),
    payload: body.byteLength || binary ? body : EMPTY_EVENT,
    invokedFunctionArn: functionArn(deps.region, deps.accountId, ref.name, ref.qualifier),
    traceId: traceId(),
    captureLog: input.headers.logType === "Tail",
    ...(clientContext === undefined ? {} : { clientContext }),
  };
  return { target, request };
}
