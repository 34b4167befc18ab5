/**
 * @module What a post of work through Greengrass IPC does: to the router, a publish on the local pub/sub; to a
 * function, an Invoke (RequestResponse or Event); to the shadow service or the secrets manager, a clear refusal.
 * Each within what the worker's function was given (`Edge.publishTopics`, `Edge.invokeFunctions`).
 */
import type { Context } from "hono";
import { mayInvoke, type Principal } from "../auth/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { functionArn, parseFunctionRef, traceId } from "../functions/mod.ts";
import { GREENGRASS_FUNCTIONS } from "../runtimes/mod.ts";
import { decodeClientContext } from "./client-context.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { mayPublish } from "./publish.ts";
import { parseJsonText } from "./request.ts";

const EMPTY_EVENT = new TextEncoder().encode("{}");

/** What the IPC door hands on. */
export interface IpcWork {
  /** The worker's session. */
  principal: Principal;
  /** The ARN the SDK posted to (Greengrass's own functions, or a function's, qualified or not). */
  functionArn: string;
  /** RequestResponse: run now and answer; Event: queue. */
  invocationType: "RequestResponse" | "Event";
  /** `X-Amz-Client-Context` as sent (base64 JSON), if any. */
  clientContext: string | undefined;
  /** The payload. */
  body: Uint8Array;
}

/** What a post of work needs. */
export type WorkDeps = Pick<ApiDeps, "invocations" | "topics" | "region" | "accountId">;

// Greengrass's own functions by the name their ARN ends with (region and account empty; a qualifier is ignored)
const GREENGRASS_ARN = /^arn:aws:lambda:::function:([A-Za-z]+)(?::[^:]*)?$/;
const nameOf = (arn: string) => GREENGRASS_ARN.exec(arn)![1];

function denied(principal: Principal, action: string, resource: string): LambdaError {
  return new LambdaError(
    "AccessDeniedException",
    `The worker of ${
      principal.publisher?.functionName ?? principal.accessKeyId
    } is not allowed to perform ${action} on ${resource}`,
  );
}

/** Runs one post of work and answers: 200 with the function's answer, or 202 for Event, with `X-Amz-Invocation-Id`. */
export async function postWork(c: Context<ApiEnv>, deps: WorkDeps, work: IpcWork): Promise<Response> {
  const special = GREENGRASS_ARN.exec(work.functionArn)?.[1];
  if (special === nameOf(GREENGRASS_FUNCTIONS.router)) return publish(c, deps, work);
  if (special === nameOf(GREENGRASS_FUNCTIONS.shadow)) {
    throw notSupported("Thing shadows (GGShadowService) are not supported on this device");
  }
  if (special === nameOf(GREENGRASS_FUNCTIONS.secrets)) {
    throw notSupported("Local secrets (GGSecretManager) are not supported on this device");
  }
  return await invoke(c, deps, work);
}

function notSupported(message: string): LambdaError {
  return new LambdaError(
    "ResourceNotFoundException",
    `${message}: lambdalet does not provide this Greengrass service`,
  );
}

/** A publish: the topic is the client context's `custom.subject`; the publisher is the token's function, never the claimed `source`. */
function publish(c: Context<ApiEnv>, deps: WorkDeps, work: IpcWork): Response {
  const context = decodeClientContext(work.clientContext);
  const custom = context === undefined
    ? undefined
    : (JSON.parse(context) as { custom?: { subject?: unknown } }).custom;
  const topic = custom?.subject;
  if (typeof topic !== "string" || topic === "") {
    throw new LambdaError(
      "InvalidParameterValueException",
      "A publish names its topic in the client context's custom.subject",
    );
  }
  if (!mayPublish(work.principal, topic)) {
    throw denied(work.principal, "lambdalet:Publish", `the topic ${topic}`);
  }
  const published = deps.topics.publish(topic, work.body, work.principal.publisher?.functionName);
  const headers = { "X-Amz-Invocation-Id": c.get("requestId") };
  if (work.invocationType === "Event") return c.body(null, 202, headers);
  return c.json(
    { Topic: published.topic, Subscribers: published.messageIds.length, MessageIds: published.messageIds },
    200,
    headers,
  );
}

/** An Invoke of a local function, by the name its ARN carries (the region and account are the cloud's, not ours). */
async function invoke(c: Context<ApiEnv>, deps: WorkDeps, work: IpcWork): Promise<Response> {
  const ref = parseFunctionRef(work.functionArn);
  const invokedArn = functionArn(deps.region, deps.accountId, ref.name, ref.qualifier);
  if (!mayInvoke(work.principal, ref.name)) {
    throw denied(work.principal, "lambda:InvokeFunction", functionArn(deps.region, deps.accountId, ref.name));
  }
  const clientContext = decodeClientContext(work.clientContext);
  const target = await deps.invocations.target(ref);
  const binary = target.config.edge.inputPayloadEncodingType === "binary";
  if (!binary && work.body.byteLength !== 0) parseJsonText(new TextDecoder().decode(work.body));
  const payload = work.body.byteLength || binary ? work.body : EMPTY_EVENT;
  const requestId = c.get("requestId");
  const headers: Record<string, string> = {
    "X-Amz-Invocation-Id": requestId,
    "X-Amz-Executed-Version": target.version,
  };
  if (work.invocationType === "Event") {
    deps.invocations.enqueue({
      id: requestId,
      functionName: target.config.functionName,
      version: target.version,
      invokedArn,
      payload,
      clientContext: clientContext ?? null,
      enqueuedAt: Date.now(),
    });
    return c.body(null, 202, headers);
  }
  const { outcome } = await deps.invocations.run(target, {
    requestId,
    payload,
    invokedFunctionArn: invokedArn,
    traceId: traceId(),
    ...(clientContext === undefined ? {} : { clientContext }),
  });
  if (outcome.kind === "error") headers["X-Amz-Function-Error"] = "Unhandled";
  return c.body(outcome.body as Uint8Array<ArrayBuffer>, 200, {
    ...headers,
    "Content-Type": "application/json",
  });
}
