/** @module The Runtime API of one worker, spoken to over real HTTP by real processes, as runtime clients would. */
import { afterEach, describe, expect, test } from "bun:test";
import {
  type InvocationOutcome,
  LookupBudget,
  type RuntimeApiEvents,
  RuntimeApiServer,
} from "../../lib/runtime-api/mod.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { eventually } from "../helpers/functions.ts";
import { type CurlAnswer, type CurlCall, curlCall, type CurlOptions } from "./runtime-client.ts";

const BASE = "/2018-06-01/runtime";
const NODE = Bun.which("node");

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

function errorTypeOf(answer: CurlAnswer): string {
  return (JSON.parse(answer.body) as { errorType: string }).errorType;
}

describe("RuntimeApiServer", () => {
  let server: RuntimeApiServer | undefined;
  /** The pids the server admits: the curl processes started with `worker`. */
  let workerPids = new Set<number>();
  let warnings: string[] = [];
  let listings = 0;
  const calls: CurlCall[] = [];
  afterEach(() => {
    server?.close();
    server = undefined;
    for (const call of calls.splice(0)) call.kill();
    workerPids = new Set();
    warnings = [];
    listings = 0;
  });

  /** Starts a server; unless `admit` is false, it admits the worker's processes once started. */
  function start(events: Partial<RuntimeApiEvents> = {}, admit = true) {
    server = new RuntimeApiServer({
      onReady: () => {},
      onInitError: () => {},
      warn: (line) => warnings.push(line),
      // budgets of its own, so that no other test's refusals spend them
      budgets: { lookups: new LookupBudget({ burst: 100 }), refusalLines: new LookupBudget({ burst: 100 }) },
      ...events,
    });
    if (admit) {
      server.admit(() => {
        listings++;
        return workerPids;
      });
    }
    return { server, url: `http://${server.address}${BASE}` };
  }

  /** A call made by a new process of the worker (a curl the server admits). */
  function worker(url: string, options: CurlOptions = {}): CurlCall {
    const call = curlCall(url, options);
    workerPids.add(call.pid);
    calls.push(call);
    return call;
  }

  /** A call made by a process that is not the worker. */
  function stranger(url: string, options: CurlOptions = {}): CurlCall {
    const call = curlCall(url, options);
    calls.push(call);
    return call;
  }

  describe("with its worker", () => {
    test("next long-polls until an invocation is delivered, with Lambda's headers and the event as body", async () => {
      let ready = 0;
      const { server, url } = start({ onReady: () => ready++ });
      const next = worker(`${url}/invocation/next`).answer;
      await eventually(() => (ready === 1 ? true : undefined));
      const outcome = server.deliver(invocation("req-1"));
      const response = await next;
      expect(response.status).toBe(200);
      expect(response.headers["lambda-runtime-aws-request-id"]).toBe("req-1");
      expect(Number(response.headers["lambda-runtime-deadline-ms"])).toBeGreaterThan(Date.now());
      expect(response.headers["lambda-runtime-invoked-function-arn"]).toBe(
        "arn:aws:lambda:us-east-1:000000000000:function:f",
      );
      expect(response.headers["lambda-runtime-trace-id"]).toStartWith("Root=1-");
      expect(response.headers["lambda-runtime-client-context"]).toBe('{"custom":{"a":1}}');
      expect(response.headers["lambda-runtime-cognito-identity"]).toBeUndefined();
      expect(response.body).toBe('{"n":1}');
      const posted = await worker(`${url}/invocation/req-1/response`, { method: "POST", body: '"ok"' })
        .answer;
      expect(posted.status).toBe(202);
      expect(JSON.parse(posted.body)).toEqual({ status: "OK" });
      expect(await outcome).toMatchObject({ kind: "success" });
      expect(text(await outcome)).toBe('"ok"');
      expect(warnings).toEqual([]);
    });

    test("an error post carries its type from Lambda-Runtime-Function-Error-Type and its body as is", async () => {
      const { server, url } = start();
      const outcome = server.deliver(invocation("req-2"));
      await worker(`${url}/invocation/next`).answer;
      const body = JSON.stringify({ errorMessage: "boom", errorType: "TypeError", stackTrace: [] });
      const posted = await worker(`${url}/invocation/req-2/error`, {
        method: "POST",
        body,
        headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.Custom" },
      }).answer;
      expect(posted.status).toBe(202);
      const result = await outcome;
      expect(result).toMatchObject({ kind: "error", errorType: "Runtime.Custom" });
      expect(text(result)).toBe(body);
    });

    test("an unknown request id answers 400 InvalidRequestID; an answered one answers 403", async () => {
      const { server, url } = start();
      const unknown = await worker(`${url}/invocation/nope/response`, { method: "POST", body: "1" }).answer;
      expect(unknown.status).toBe(400);
      expect(JSON.parse(unknown.body)).toEqual({
        errorMessage: "Invalid request ID",
        errorType: "InvalidRequestID",
      });
      const outcome = server.deliver(invocation("req-3"));
      await worker(`${url}/invocation/next`).answer;
      const answered = await worker(`${url}/invocation/req-3/response`, { method: "POST", body: "1" }).answer;
      expect(answered.status).toBe(202);
      await outcome;
      const again = await worker(`${url}/invocation/req-3/response`, { method: "POST", body: "1" }).answer;
      expect(again.status).toBe(403);
      expect(errorTypeOf(again)).toBe("InvalidStateTransition");
    });

    test("a response over 6 MB answers 413 and ends the invocation with Function.ResponseSizeTooLarge", async () => {
      const { server, url } = start();
      const outcome = server.deliver(invocation("req-4"));
      await worker(`${url}/invocation/next`).answer;
      const posted = await worker(`${url}/invocation/req-4/response`, {
        method: "POST",
        body: "x".repeat(6 * 1024 * 1024 + 200),
      }).answer;
      expect(posted.status).toBe(413);
      expect(await outcome).toMatchObject({ kind: "error", errorType: "Function.ResponseSizeTooLarge" });
    });

    test("an init error before any invocation is reported to the owner", async () => {
      let reported: InvocationOutcome | undefined;
      const { url } = start({ onInitError: (outcome) => (reported = outcome) });
      const body = JSON.stringify({ errorMessage: "no module", errorType: "Runtime.ImportModuleError" });
      const posted = await worker(`${url}/init/error`, { method: "POST", body }).answer;
      expect(posted.status).toBe(202);
      expect(reported).toMatchObject({ kind: "error", errorType: "Runtime.ImportModuleError" });
    });

    test("an unknown path answers 404 in the Runtime API's error shape", async () => {
      const { url } = start();
      const response = await worker(`${url}/invocation`).answer;
      expect(response.status).toBe(404);
      expect(errorTypeOf(response)).toBe("NotFound");
    });

    test("a keep-alive connection is checked once, not on each request", async () => {
      const { server, url } = start();
      const outcome = server.deliver(invocation("req-5"));
      const script = `
        const next = await fetch(${JSON.stringify(`${url}/invocation/next`)});
        const id = next.headers.get("lambda-runtime-aws-request-id");
        await next.text();
        const posted = await fetch(${
        JSON.stringify(`${url}/invocation/`)
      } + id + "/response", { method: "POST", body: "7" });
        console.log(posted.status);
      `;
      const proc = Bun.spawn({ cmd: [process.execPath, "-e", script], stdout: "pipe", stderr: "inherit" });
      workerPids.add(proc.pid);
      expect((await new Response(proc.stdout).text()).trim()).toBe("202");
      expect(text(await outcome)).toBe("7");
      expect(listings).toBe(1);
    });
  });

  describe("with any other process", () => {
    test("a process that is not the worker gets 403 on next, on the pending response and on init/error; the worker still gets and answers its invocation", async () => {
      let initErrors = 0;
      const { server, url } = start({ onInitError: () => initErrors++ });
      const outcome = server.deliver(invocation("req-6"));
      // the test process itself, and a curl that is no process of the worker
      const ownNext = await fetch(`${url}/invocation/next`);
      expect(ownNext.status).toBe(403);
      expect(await ownNext.json()).toEqual({
        errorMessage: "Only the worker's own processes may use its Runtime API",
        errorType: "AccessDeniedException",
      });
      const strangerNext = await stranger(`${url}/invocation/next`).answer;
      expect(strangerNext.status).toBe(403);
      expect(server.fetched).toBe(false);

      const next = await worker(`${url}/invocation/next`).answer;
      expect(next.status).toBe(200);
      expect(next.headers["lambda-runtime-aws-request-id"]).toBe("req-6");

      const forged = await fetch(`${url}/invocation/req-6/response`, { method: "POST", body: '"forged"' });
      expect(forged.status).toBe(403);
      const forgedByCurl = stranger(`${url}/invocation/req-6/response`, { method: "POST", body: '"forged"' });
      expect((await forgedByCurl.answer).status).toBe(403);
      const forgedError = await stranger(`${url}/invocation/req-6/error`, { method: "POST", body: "{}" })
        .answer;
      expect(forgedError.status).toBe(403);
      const initError = await fetch(`${url}/init/error`, { method: "POST", body: '{"errorType":"X"}' });
      expect(initError.status).toBe(403);
      const initErrorByCurl = stranger(`${url}/init/error`, { method: "POST", body: '{"errorType":"X"}' });
      expect((await initErrorByCurl.answer).status).toBe(403);

      const real = await worker(`${url}/invocation/req-6/response`, { method: "POST", body: '"real"' })
        .answer;
      expect(real.status).toBe(202);
      expect(text(await outcome)).toBe('"real"');
      expect(initErrors).toBe(0);
      expect(warnings.filter((line) => line.includes(`pid ${process.pid} `))).toHaveLength(3);
      expect(warnings.some((line) => line.includes(`pid ${forgedByCurl.pid} (curl)`))).toBe(true);
      expect(warnings.some((line) => line.includes(`pid ${initErrorByCurl.pid} (curl)`))).toBe(true);
      expect(warnings).toHaveLength(7);
    });

    test("a flood of new connections from another process costs a bounded number of lookups and log lines, and the worker's own connection keeps working", async () => {
      const { server, url } = start({
        budgets: {
          lookups: new LookupBudget({ perSecond: 10, burst: 5 }),
          refusalLines: new LookupBudget({ perSecond: 1, burst: 3 }),
        },
      });
      // the worker's connection is checked once, before the flood, and kept open (keep-alive)
      const script = `const http = require("node:http");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (path) => new Promise((resolve) => http.get({ host: "127.0.0.1", port: ${
        server.address.split(":")[1]
      }, path, agent }, (res) => { let t = ""; res.on("data", (c) => (t += c)); res.on("end", () => resolve(res.statusCode)); }));
(async () => { console.log(await get("${BASE}/nothing")); process.stdin.once("data", async () => { console.log(await get("${BASE}/invocation/next")); process.exit(0); }); })();`;
      if (!NODE) return explainSkip("the flood test", "node is not installed");
      const child = Bun.spawn({ cmd: [NODE, "-e", script], stdin: "pipe", stdout: "pipe" });
      workerPids.add(child.pid);
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      expect((await lines.read()).value?.trim()).toBe("404");
      const statuses = await Promise.all(
        Array.from({ length: 40 }, async () => (await fetch(`${url}/invocation/next`)).status),
      );
      expect(statuses.filter((status) => status === 403).length).toBeLessThanOrEqual(6);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(34);
      expect(statuses.every((status) => status === 403 || status === 429)).toBe(true);
      expect(warnings.length).toBeLessThanOrEqual(4);
      const outcome = server.deliver(invocation("req-flood"));
      child.stdin.write("go\n");
      child.stdin.end();
      expect((await lines.read()).value?.trim()).toBe("200");
      expect(server.fetched).toBe(true);
      void outcome;
      child.kill();
    });

    test("before its worker is admitted, the server refuses every process", async () => {
      const { server, url } = start({}, false);
      const call = curlCall(`${url}/invocation/next`);
      calls.push(call);
      expect((await call.answer).status).toBe(403);
      expect(warnings).toEqual([
        `Runtime API refused GET ${BASE}/invocation/next from pid ${call.pid} (curl): the worker has not started yet`,
      ]);
      server.admit(() => workerPids);
      expect((await worker(`${url}/invocation`).answer).status).toBe(404);
    });

    test("another process connecting from a port the worker used before is checked anew", async () => {
      const { url } = start();
      const { port } = new URL(url);
      // the worker leaves with a reset, so that neither end keeps the port in TIME_WAIT
      const script = `const socket = require("node:net").connect(${port}, "127.0.0.1", () =>
        socket.write("POST ${BASE}/invocation/nope/response HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1\\r\\n\\r\\n1"));
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk;
        if (!text.includes("\\r\\n\\r\\n")) return;
        console.log(JSON.stringify({ status: Number(text.split(" ")[1]), port: socket.localPort }));
        socket.resetAndDestroy();
      });`;
      const proc = Bun.spawn({ cmd: [NODE!, "-e", script], stdout: "pipe", stderr: "inherit" });
      workerPids.add(proc.pid);
      const first = JSON.parse(await new Response(proc.stdout).text()) as { status: number; port: number };
      expect(first.status).toBe(400);
      await proc.exited;
      let reused: CurlAnswer | undefined;
      for (let attempt = 0; attempt < 20; attempt++) {
        reused = await stranger(`${url}/invocation/nope/response`, {
          method: "POST",
          body: "1",
          localPort: first.port,
        }).answer;
        if (reused.code !== 45) break; // the port is not free yet
        await Bun.sleep(100);
      }
      expect(reused?.localPort).toBe(first.port);
      expect(reused?.status).toBe(403);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`from pid ${reused?.pid} (curl): it is not a process of this worker`);
    });
  });

  describe("state transitions", () => {
    test("init/error after the first invocation is refused and the invocation in flight is unaffected", async () => {
      let initErrors = 0;
      const { server, url } = start({ onInitError: () => initErrors++ });
      const outcome = server.deliver(invocation("req-7"));
      expect((await worker(`${url}/invocation/next`).answer).status).toBe(200);
      const late = await worker(`${url}/init/error`, { method: "POST", body: '{"errorType":"Late"}' }).answer;
      expect(late.status).toBe(403);
      expect(errorTypeOf(late)).toBe("InvalidStateTransition");
      expect(server.fetched).toBe(true);
      const answered = await worker(`${url}/invocation/req-7/response`, { method: "POST", body: '"fine"' })
        .answer;
      expect(answered.status).toBe(202);
      expect(await outcome).toMatchObject({ kind: "success" });
      expect(text(await outcome)).toBe('"fine"');
      expect(initErrors).toBe(0);
      const later = await worker(`${url}/init/error`, { method: "POST", body: '{"errorType":"Late"}' })
        .answer;
      expect(later.status).toBe(403);
      expect(initErrors).toBe(0);
    });

    test("a second next while one is parked is refused, and the parked one keeps its place", async () => {
      let ready = 0;
      const { server, url } = start({ onReady: () => ready++ });
      const parked = worker(`${url}/invocation/next`);
      await eventually(() => (ready === 1 ? true : undefined));
      const second = await worker(`${url}/invocation/next`).answer;
      expect(second.status).toBe(400);
      expect(errorTypeOf(second)).toBe("InvalidStateTransition");
      expect(ready).toBe(1);
      const outcome = server.deliver(invocation("req-8"));
      const delivered = await parked.answer;
      expect(delivered.status).toBe(200);
      expect(delivered.headers["lambda-runtime-aws-request-id"]).toBe("req-8");
      await worker(`${url}/invocation/req-8/response`, { method: "POST", body: "1" }).answer;
      expect(text(await outcome)).toBe("1");
    });

    test("a parked next whose client went away leaves its place to the next one", async () => {
      let ready = 0;
      const { server, url } = start({ onReady: () => ready++ });
      const gone = worker(`${url}/invocation/next`);
      await eventually(() => (ready === 1 ? true : undefined));
      gone.kill();
      await gone.answer;
      await Bun.sleep(50);
      const next = worker(`${url}/invocation/next`);
      await eventually(() => (ready === 2 ? true : undefined));
      const outcome = server.deliver(invocation("req-9"));
      expect((await next.answer).headers["lambda-runtime-aws-request-id"]).toBe("req-9");
      await worker(`${url}/invocation/req-9/response`, { method: "POST", body: "2" }).answer;
      expect(text(await outcome)).toBe("2");
    });
  });
});
