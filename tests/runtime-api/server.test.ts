/** @module The Runtime API of one worker, spoken to over real HTTP as a runtime client would. */
import { afterEach, describe, expect, test } from "bun:test";
import { type InvocationOutcome, RuntimeApiServer } from "../../lib/runtime-api/mod.ts";

const BASE = "/2018-06-01/runtime";

function invocation(requestId: string) {
  return {
    requestId,
    payload: new TextEncoder().encode('{"n":1}'),
    deadlineMs: Date.now() + 3000,
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
    traceId: "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0",
    clientContext: '{"custom":{"a":1}}',
  };
}

function text(outcome: InvocationOutcome): string {
  return new TextDecoder().decode(outcome.body);
}

describe("RuntimeApiServer", () => {
  let server: RuntimeApiServer | undefined;
  afterEach(() => server?.close());

  function start(events: Partial<ConstructorParameters<typeof RuntimeApiServer>[0]> = {}) {
    server = new RuntimeApiServer({ onReady: () => {}, onInitError: () => {}, ...events });
    return { server, url: `http://${server.address}${BASE}` };
  }

  test("next long-polls until an invocation is delivered, with Lambda's headers and the event as body", async () => {
    let ready = 0;
    const { server, url } = start({ onReady: () => ready++ });
    const next = fetch(`${url}/invocation/next`);
    await Bun.sleep(30);
    expect(ready).toBe(1);
    const outcome = server.deliver(invocation("req-1"));
    const response = await next;
    expect(response.status).toBe(200);
    expect(response.headers.get("lambda-runtime-aws-request-id")).toBe("req-1");
    expect(Number(response.headers.get("lambda-runtime-deadline-ms"))).toBeGreaterThan(Date.now());
    expect(response.headers.get("lambda-runtime-invoked-function-arn")).toBe(
      "arn:aws:lambda:us-east-1:000000000000:function:f",
    );
    expect(response.headers.get("lambda-runtime-trace-id")).toStartWith("Root=1-");
    expect(response.headers.get("lambda-runtime-client-context")).toBe('{"custom":{"a":1}}');
    expect(response.headers.get("lambda-runtime-cognito-identity")).toBeNull();
    expect(await response.text()).toBe('{"n":1}');
    const posted = await fetch(`${url}/invocation/req-1/response`, { method: "POST", body: '"ok"' });
    expect(posted.status).toBe(202);
    expect(await posted.json()).toEqual({ status: "OK" });
    expect(await outcome).toMatchObject({ kind: "success" });
    expect(text(await outcome)).toBe('"ok"');
  });

  test("an error post carries its type from Lambda-Runtime-Function-Error-Type and its body as is", async () => {
    const { server, url } = start();
    const outcome = server.deliver(invocation("req-2"));
    await fetch(`${url}/invocation/next`);
    const body = JSON.stringify({ errorMessage: "boom", errorType: "TypeError", stackTrace: [] });
    const posted = await fetch(`${url}/invocation/req-2/error`, {
      method: "POST",
      body,
      headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.Custom" },
    });
    expect(posted.status).toBe(202);
    const result = await outcome;
    expect(result).toMatchObject({ kind: "error", errorType: "Runtime.Custom" });
    expect(text(result)).toBe(body);
  });

  test("an unknown request id answers 400 InvalidRequestID; an answered one answers 403", async () => {
    const { server, url } = start();
    const unknown = await fetch(`${url}/invocation/nope/response`, { method: "POST", body: "1" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      errorMessage: "Invalid request ID",
      errorType: "InvalidRequestID",
    });
    const outcome = server.deliver(invocation("req-3"));
    await fetch(`${url}/invocation/next`);
    expect((await fetch(`${url}/invocation/req-3/response`, { method: "POST", body: "1" })).status).toBe(202);
    await outcome;
    const again = await fetch(`${url}/invocation/req-3/response`, { method: "POST", body: "1" });
    expect(again.status).toBe(403);
    expect((await again.json() as { errorType: string }).errorType).toBe("InvalidStateTransition");
  });

  test("a response over 6 MB answers 413 and ends the invocation with Function.ResponseSizeTooLarge", async () => {
    const { server, url } = start();
    const outcome = server.deliver(invocation("req-4"));
    await fetch(`${url}/invocation/next`);
    const posted = await fetch(`${url}/invocation/req-4/response`, {
      method: "POST",
      body: "x".repeat(6 * 1024 * 1024 + 200),
    });
    expect(posted.status).toBe(413);
    expect(await outcome).toMatchObject({ kind: "error", errorType: "Function.ResponseSizeTooLarge" });
  });

  test("an init error before any invocation is reported to the owner", async () => {
    let reported: InvocationOutcome | undefined;
    const { url } = start({ onInitError: (outcome) => (reported = outcome) });
    const body = JSON.stringify({ errorMessage: "no module", errorType: "Runtime.ImportModuleError" });
    const posted = await fetch(`${url}/init/error`, { method: "POST", body });
    expect(posted.status).toBe(202);
    expect(reported).toMatchObject({ kind: "error", errorType: "Runtime.ImportModuleError" });
  });

  test("an unknown path answers 404 in the Runtime API's error shape", async () => {
    const { url } = start();
    const response = await fetch(`${url}/invocation`);
    expect(response.status).toBe(404);
    expect((await response.json() as { errorType: string }).errorType).toBe("NotFound");
  });
});
