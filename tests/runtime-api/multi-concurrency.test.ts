/** @module A worker's Runtime API with several invocations at once (`Edge.maxConcurrency`), spoken to by real processes. */
import { afterEach, describe, expect, test } from "bun:test";
import { type InvocationOutcome, LookupBudget, RuntimeApiServer } from "../../lib/runtime-api/mod.ts";
import { eventually } from "../helpers/functions.ts";
import { type CurlCall, curlCall, type CurlOptions } from "./runtime-client.ts";

const BASE = "/2018-06-01/runtime";

function invocation(requestId: string) {
  return {
    requestId,
    payload: new TextEncoder().encode(JSON.stringify({ id: requestId })),
    deadlineMs: Date.now() + 30_000,
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
    traceId: "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0",
  };
}

const text = (outcome: InvocationOutcome) => new TextDecoder().decode(outcome.body);

describe("RuntimeApiServer with maxConcurrency", () => {
  let server: RuntimeApiServer | undefined;
  let workerPids = new Set<number>();
  const calls: CurlCall[] = [];
  afterEach(() => {
    server?.close();
    server = undefined;
    for (const call of calls.splice(0)) call.kill();
    workerPids = new Set();
  });

  function start(maxConcurrency: number, onReady: () => void = () => {}) {
    server = new RuntimeApiServer({
      onReady,
      onInitError: () => {},
      warn: () => {},
      maxConcurrency,
      budgets: { lookups: new LookupBudget({ burst: 100 }), refusalLines: new LookupBudget({ burst: 100 }) },
    });
    server.admit(() => workerPids);
    return { server, url: `http://${server.address}${BASE}` };
  }

  function worker(url: string, options: CurlOptions = {}): CurlCall {
    const call = curlCall(url, options);
    workerPids.add(call.pid);
    calls.push(call);
    return call;
  }

  test("several parked next requests each get their own invocation, answered by request id in any order", async () => {
    let ready = 0;
    const { server, url } = start(3, () => ready++);
    const nexts = [1, 2, 3].map(() => worker(`${url}/invocation/next`).answer);
    await eventually(() => (ready >= 3 ? true : undefined));
    const outcomes = ["a", "b", "c"].map((id) => server.deliver(invocation(id)));
    const fetched = await Promise.all(nexts);
    const ids = fetched.map((answer) => answer.headers["lambda-runtime-aws-request-id"]);
    expect(ids.toSorted()).toEqual(["a", "b", "c"]);
    for (const answer of fetched) {
      const id = answer.headers["lambda-runtime-aws-request-id"];
      expect(JSON.parse(answer.body)).toEqual({ id });
      expect(server.isFetched(id!)).toBe(true);
    }
    // answered backwards, and one of them with an error: each outcome is its own
    const posted = await Promise.all([
      worker(`${url}/invocation/c/response`, { method: "POST", body: '"C"' }).answer,
      worker(`${url}/invocation/b/error`, {
        method: "POST",
        body: '{"errorType":"Boom","errorMessage":"b failed"}',
        headers: { "Lambda-Runtime-Function-Error-Type": "Boom" },
      }).answer,
      worker(`${url}/invocation/a/response`, { method: "POST", body: '"A"' }).answer,
    ]);
    expect(posted.map((answer) => answer.status)).toEqual([202, 202, 202]);
    const [a, b, c] = await Promise.all(outcomes);
    expect(a).toMatchObject({ kind: "success" });
    expect(text(a!)).toBe('"A"');
    expect(b).toMatchObject({ kind: "error", errorType: "Boom" });
    expect(c).toMatchObject({ kind: "success" });
    expect(text(c!)).toBe('"C"');
    const again = await worker(`${url}/invocation/a/response`, { method: "POST", body: '"A"' }).answer;
    expect(again.status).toBe(403);
  });

  test("invocations delivered before any next wait, oldest first, for the next requests to come", async () => {
    const { server, url } = start(2);
    const outcomes = ["first", "second"].map((id) => server.deliver(invocation(id)));
    expect(server.isFetched("first")).toBe(false);
    const one = await worker(`${url}/invocation/next`).answer;
    const two = await worker(`${url}/invocation/next`).answer;
    expect(one.headers["lambda-runtime-aws-request-id"]).toBe("first");
    expect(two.headers["lambda-runtime-aws-request-id"]).toBe("second");
    await worker(`${url}/invocation/second/response`, { method: "POST", body: "2" }).answer;
    await worker(`${url}/invocation/first/response`, { method: "POST", body: "1" }).answer;
    expect((await Promise.all(outcomes)).map(text)).toEqual(["1", "2"]);
  });

  test("one next more than maxConcurrency is refused with InvalidStateTransition", async () => {
    let ready = 0;
    const { url } = start(2, () => ready++);
    worker(`${url}/invocation/next`);
    worker(`${url}/invocation/next`);
    await eventually(() => (ready >= 2 ? true : undefined));
    const third = await worker(`${url}/invocation/next`).answer;
    expect(third.status).toBe(400);
    expect(JSON.parse(third.body)).toMatchObject({ errorType: "InvalidStateTransition" });
  });

  test("a request id pending already cannot be delivered twice", () => {
    const { server } = start(2);
    void server.deliver(invocation("same"));
    expect(() => server.deliver(invocation("same"))).toThrow(/already pending/);
  });

  test("another process cannot fetch or answer the worker's invocations", async () => {
    const { server, url } = start(2);
    const outcome = server.deliver(invocation("mine"));
    const stranger = curlCall(`${url}/invocation/next`);
    calls.push(stranger);
    expect((await stranger.answer).status).toBe(403);
    expect(server.isFetched("mine")).toBe(false);
    await worker(`${url}/invocation/next`).answer;
    const forged = curlCall(`${url}/invocation/mine/response`, { method: "POST", body: '"forged"' });
    calls.push(forged);
    expect((await forged.answer).status).toBe(403);
    await worker(`${url}/invocation/mine/response`, { method: "POST", body: '"real"' }).answer;
    expect(text(await outcome)).toBe('"real"');
  });
});
