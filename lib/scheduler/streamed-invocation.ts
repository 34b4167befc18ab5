/** @module An invocation whose response may come as a stream: handed over at its first bytes, or whole. */
import type { InvocationRequest, StreamedResponse } from "../runtime-api/mod.ts";
import type { InvocationResult } from "./worker-types.ts";

/**
 * How a streamed invocation answered, as soon as that is known. `streamed: false`: the answer came whole (a
 * handler that does not stream, or an error before any byte), in `result`. `streamed: true`: the worker streams its
 * response, whose bytes `response.body` gives as they come; `completion` resolves once the invocation has ended,
 * with an empty success or the error that cut the stream (the function's, `Sandbox.Timedout`, `Runtime.ExitError`,
 * `Runtime.OutOfMemory`, `Function.ResponseSizeTooLarge`), and the log when `captureLog` asked for it.
 */
export type StreamedInvocation =
  | { streamed: false; result: InvocationResult }
  | { streamed: true; response: StreamedResponse; completion: Promise<InvocationResult> };

/**
 * Runs `request` through `invoke` and resolves as soon as its answer starts: with the response stream when the
 * worker streams, else with the whole result. Rejects as `invoke` does (throttles, the agent stopping).
 */
export function streamedInvocation(
  invoke: (request: InvocationRequest) => Promise<InvocationResult>,
  request: InvocationRequest,
): Promise<StreamedInvocation> {
  return new Promise((resolve, reject) => {
    let completion: Promise<InvocationResult> | undefined;
    let started: StreamedResponse | undefined;
    const onResponseStream = (response: StreamedResponse) => {
      started = response;
      // `completion` is set: the worker cannot stream before `invoke` has returned its promise
      if (completion) resolve({ streamed: true, response, completion });
    };
    try {
      completion = invoke({ ...request, onResponseStream });
    } catch (error) {
      reject(error);
      return;
    }
    if (started) resolve({ streamed: true, response: started, completion });
    completion.then((result) => {
      if (!started) resolve({ streamed: false, result });
    }, reject);
  });
}
