/** @module httpResponseOf(): what a RESPONSE_STREAM function URL answers for a streamed invocation. */
import { describe, expect, test } from "bun:test";
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  httpResponseOf,
  ResponseStreamError,
} from "../../lib/functions/mod.ts";
import { platformError } from "../../lib/runtime-api/mod.ts";
import type { InvocationResult, StreamedInvocation } from "../../lib/scheduler/mod.ts";

const encoder = new TextEncoder();
const OK: InvocationResult = { outcome: { kind: "success", body: new Uint8Array() }, log: "" };

/** A streamed invocation whose body gives `chunks` in order, then completes with `result`. */
function streamed(
  contentType: string,
  chunks: (string | Uint8Array)[],
  result: InvocationResult = OK,
): StreamedInvocation {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      }
      controller.close();
    },
  });
  return { streamed: true, response: { contentType, body }, completion: Promise.resolve(result) };
}

const NULS = new Uint8Array(8);

describe("httpResponseOf()", () => {
  test("an http-integration-response stream makes its metadata the status, headers and cookies", async () => {
    const prelude = JSON.stringify({
      statusCode: 201,
      headers: { "Content-Type": "text/html", "X-Count": 3 },
      cookies: ["a=1; Path=/", "b=2"],
    });
    // the metadata and its delimiter split across chunks, as a worker may write them
    const response = await httpResponseOf(
      streamed(HTTP_INTEGRATION_CONTENT_TYPE, [
        prelude.slice(0, 10),
        prelude.slice(10),
        NULS.subarray(0, 3),
        NULS.subarray(3),
        "<p>",
        "hi</p>",
      ]),
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("text/html");
    expect(response.headers.get("x-count")).toBe("3");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2"]);
    expect(await response.text()).toBe("<p>hi</p>");
  });

  test("any other stream is the body of a 200 with its own Content-Type", async () => {
    const response = await httpResponseOf(streamed("text/plain", ["one ", "two"]));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toBe("one two");
  });

  test("an error after the first bytes cuts the body with a ResponseStreamError", async () => {
    const response = await httpResponseOf(
      streamed("text/plain", ["partial"], {
        outcome: platformError("Sandbox.Timedout", "Task timed out"),
        log: "",
      }),
    );
    expect(response.status).toBe(200);
    const failed = await response.text().then(() => null, (error: unknown) => error);
    expect(failed).toBeInstanceOf(ResponseStreamError);
    expect((failed as ResponseStreamError).errorType).toBe("Sandbox.Timedout");
  });

  test("an error before any byte, or metadata without its delimiter, is a 502", async () => {
    const failedEarly = await httpResponseOf(
      streamed("text/plain", [], { outcome: platformError("Runtime.ExitError", "exit status 1"), log: "" }),
    );
    expect(failedEarly.status).toBe(502);
    expect(await failedEarly.json()).toEqual({ Message: "Internal Server Error" });
    const noDelimiter = await httpResponseOf(streamed(HTTP_INTEGRATION_CONTENT_TYPE, ['{"statusCode":200}']));
    expect(noDelimiter.status).toBe(502);
  });

  test("an answer that came whole is a 200 with it as body; a whole error is a 502", async () => {
    const whole = await httpResponseOf({
      streamed: false,
      result: { outcome: { kind: "success", body: encoder.encode('{"a":1}') }, log: "" },
    });
    expect(whole.status).toBe(200);
    expect(await whole.text()).toBe('{"a":1}');
    const failed = await httpResponseOf({
      streamed: false,
      result: { outcome: platformError("Error", "boom"), log: "" },
    });
    expect(failed.status).toBe(502);
  });
});
