/** @module InvokeWithResponseStream: `POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations`. */
import type { Handler } from "hono";
import { InvokeStreamHeadersSchema, parseInput } from "../config/mod.ts";
import { platformError } from "../runtime-api/mod.ts";
import type { InvocationResult, StreamedInvocation } from "../scheduler/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { EVENT_STREAM_CONTENT_TYPE, invokeComplete, payloadChunks } from "./event-stream.ts";
import { prepareInvocation } from "./invocation-request.ts";

/**
 * Builds the InvokeWithResponseStream handler: RequestResponse (the default) answers 200 with an event stream of
 * PayloadChunk events as the function writes, then one InvokeComplete (its error, its log tail); a function that
 * does not stream answers its whole response as one PayloadChunk. DryRun answers 204.
 */
export function invokeWithResponseStreamHandler(
  deps: Pick<ApiDeps, "invocations" | "region" | "accountId">,
): Handler<ApiEnv> {
  return async (c) => {
    const headers = parseInput(InvokeStreamHeadersSchema, {
      invocationType: c.req.header("x-amz-invocation-type"),
      logType: c.req.header("x-amz-log-type"),
      clientContext: c.req.header("x-amz-client-context"),
    });
    const body = new Uint8Array(await c.req.arrayBuffer());
    const { target, request } = await prepareInvocation(c, deps, { headers, body });
    const responseHeaders: Record<string, string> = { "X-Amz-Executed-Version": target.version };
    if (headers.invocationType === "DryRun") return c.body(null, 204, responseHeaders);
    const streamed = await deps.invocations.stream(target, request);
    return c.body(eventStreamOf(streamed, headers.logType === "Tail"), 200, {
      ...responseHeaders,
      "Content-Type": EVENT_STREAM_CONTENT_TYPE,
    });
  };
}

/**
 * The event stream of an invocation. It pulls the worker's bytes only as the client takes events, so a slow client
 * slows the worker down rather than filling the agent's memory; a client that goes away drops the rest.
 */
function eventStreamOf(streamed: StreamedInvocation, withLog: boolean): ReadableStream<Uint8Array> {
  if (!streamed.streamed) {
    const { result } = streamed;
    const events = result.outcome.kind === "success" ? payloadChunks(result.outcome.body) : [];
    events.push(invokeComplete(result, withLog));
    return new ReadableStream({
      start(controller) {
        for (const event of events) controller.enqueue(event);
        controller.close();
      },
    });
  }
  const reader = streamed.response.body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await reader.read();
      if (!next.done) {
        for (const event of payloadChunks(next.value)) controller.enqueue(event);
        return;
      }
      const result = await streamed.completion.catch(failedResult);
      controller.enqueue(invokeComplete(result, withLog));
      controller.close();
    },
    cancel(reason) {
      void reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function failedResult(error: unknown): InvocationResult {
  const message = error instanceof Error ? error.message : String(error);
  return { outcome: platformError("ServiceException", message), log: "" };
}
