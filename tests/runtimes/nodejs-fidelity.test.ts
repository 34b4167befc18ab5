/** @module Real-world Node.js handler code behaves as on Lambda: legacy context methods, error logs, `awslambda`. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { createBodyWith, deploy, eventually, invoke, invokeTail } from "../helpers/functions.ts";

interface ErrorBody {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** A CloudWatch Logs subscription event, as Lambda hands it over: gzipped JSON, base64. */
function cloudWatchLogsEvent(messages: string[]): string {
  const data = {
    messageType: "DATA_MESSAGE",
    owner: "123456789012",
    logGroup: "/aws/lambda/orders",
    logStream: "2026/11/29/[$LATEST]0123456789abcdef0123456789abcdef",
    subscriptionFilters: ["errors"],
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1_764_000_000_000 + i, message })),
  };
  return JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(data)).toString("base64") } });
}

/** The classic log-subscription handler: gunzip in a callback, answer with context.succeed or context.fail. */
const GUNZIP_HANDLER = `const zlib = require("node:zlib");
exports.handler = function (event, context) {
  const payload = Buffer.from(event.awslogs.data, "base64");
  zlib.gunzip(payload, (err, raw) => {
    if (err) return context.fail(err);
    const data = JSON.parse(raw.toString("utf8"));
    console.log("decoded", data.logEvents.length, "events of", data.logGroup);
    context.succeed({ logGroup: data.logGroup, messages: data.logEvents.map((e) => e.message) });
  });
};
`;

/** The request id the START line of `log` names. */
function requestIdOf(log: string): string {
  const id = /START RequestId: ([0-9a-f-]{36})/.exec(log)?.[1];
  if (!id) throw new Error(`No START line in: ${log}`);
  return id;
}

describe("nodejs runtimes behave as on Lambda", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
    const node = (name: string, source: string, runtime = "nodejs20.x") =>
      deploy(agent.url, createBodyWith(name, runtime, "index.handler", { "index.js": source }));
    await Promise.all([
      node("gunzip", GUNZIP_HANDLER),
      node(
        "done",
        "exports.handler = (event, context) => { setTimeout(() => context.done(null, { n: event.n }), 20); };",
      ),
      node(
        "done-error",
        "exports.handler = (event, context) => { setTimeout(() => context.done(new RangeError('too far')), 5); };",
      ),
      node(
        "timer",
        `exports.handler = (event, context) => {
  setTimeout(() => console.log("timer fired"), 150);
};`,
      ),
      node(
        "late-log",
        "exports.handler = (event, context) => { setTimeout(() => console.log('late line'), 30); context.succeed('x'); };",
      ),
      node(
        "async-succeed",
        "exports.handler = async (event, context) => { context.succeed('early'); await new Promise((r) => setTimeout(r, 20)); return 'late'; };",
      ),
      node(
        "callback-succeed",
        "exports.handler = (event, context, callback) => { setTimeout(() => context.succeed({ via: 'succeed' }), 5); };",
      ),
      node("never-settles", "exports.handler = () => new Promise(() => {});"),
      node(
        "throws",
        `class ValidationError extends Error { constructor(m) { super(m); this.name = "ValidationError"; this.code = "E_ITEMS"; } }
exports.handler = async () => { throw new ValidationError("the order has no items"); };`,
      ),
      node(
        "callback-error",
        "exports.handler = (event, context, callback) => callback(new TypeError('bad input'));",
      ),
      node(
        "streamified",
        `exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  responseStream.write("a");
  await new Promise((r) => setTimeout(r, 5));
  responseStream.end("b");
});`,
      ),
      node(
        "streamified-http",
        `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { "x-k": "v" } });
  stream.write("<p>");
  stream.write(Buffer.from("hi"));
  stream.end("</p>");
});`,
      ),
      node(
        "streamified-unfinished",
        "exports.handler = awslambda.streamifyResponse(async (event, responseStream) => { responseStream.write('a'); });",
      ),
      node(
        "bun-plain-timer",
        "exports.handler = (event, context) => { setTimeout(() => console.log('bun timer fired'), 50); };",
        "bun1.x",
      ),
      node(
        "bun-timer",
        "exports.handler = (event, context) => { setTimeout(() => context.succeed('bun late'), 20); };",
        "bun1.x",
      ),
    ]);
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
  });

  describe("(event, context) handlers that finish later", () => {
    test("a handler that gunzips a CloudWatch Logs event answers through context.succeed, its log before END", async () => {
      const { status, functionError, body, log } = await invokeTail(
        agent.url,
        "gunzip",
        cloudWatchLogsEvent(["first", "second"]),
      );
      expect(status).toBe(200);
      expect(functionError).toBeNull();
      expect(body).toEqual({ logGroup: "/aws/lambda/orders", messages: ["first", "second"] });
      const id = requestIdOf(log);
      const decoded = log.indexOf(`\t${id}\tINFO\tdecoded 2 events of /aws/lambda/orders`);
      expect(decoded).toBeGreaterThan(-1);
      expect(decoded).toBeLessThan(log.indexOf("END RequestId:"));
      expect(log).not.toContain("\tundefined\t");
    });

    test("a corrupt payload calling context.fail(err) is a function error", async () => {
      const corrupt = JSON.stringify({
        awslogs: { data: Buffer.from("not gzip at all").toString("base64") },
      });
      const { status, functionError, body } = await invokeTail<ErrorBody>(agent.url, "gunzip", corrupt);
      expect(status).toBe(200);
      expect(functionError).toBe("Unhandled");
      expect(body.errorType).toBe("Error");
      expect(body.errorMessage).toMatch(/incorrect header check/);
      expect(body.trace?.length).toBeGreaterThan(0);
    });

    test("context.done(null, result) answers the result and context.done(err) the error", async () => {
      expect((await invokeTail(agent.url, "done", '{"n":3}')).body).toEqual({ n: 3 });
      const failed = await invokeTail<ErrorBody>(agent.url, "done-error");
      expect(failed.functionError).toBe("Unhandled");
      expect(failed.body).toMatchObject({ errorType: "RangeError", errorMessage: "too far" });
    });

    test("a plain handler that sets a timer and returns undefined answers null once the event loop empties", async () => {
      const started = performance.now();
      const { status, body, log } = await invokeTail(agent.url, "timer");
      expect(status).toBe(200);
      expect(body).toBeNull();
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      const fired = log.indexOf(`\t${requestIdOf(log)}\tINFO\ttimer fired`);
      expect(fired).toBeGreaterThan(-1);
      expect(fired).toBeLessThan(log.indexOf("END RequestId:"));
    });

    test("a line that work left pending writes after the answer is tagged with that invocation's request id", async () => {
      const { log } = await invokeTail(agent.url, "late-log");
      const id = requestIdOf(log);
      const line = await eventually(() =>
        agent.output().split("\n").find((l) => l.startsWith("[late-log:") && l.includes("late line"))
      );
      expect(line).toContain(`\t${id}\tINFO\tlate line`);
    });

    test("context.succeed is accepted in async and callback handlers too; the first answer counts", async () => {
      expect((await invokeTail<string>(agent.url, "async-succeed")).body).toBe("early");
      expect((await invokeTail(agent.url, "callback-succeed")).body).toEqual({ via: "succeed" });
    });

    test("an async handler whose promise never settles fails once nothing is left to run; the next one does too", async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const { functionError, body } = await invokeTail<ErrorBody>(agent.url, "never-settles");
        expect(functionError).toBe("Unhandled");
        expect(body.errorType).toBe("Runtime.NodeJsExit");
      }
    });

    test("under Bun (bun1.x), context.succeed from a timer and an empty event loop answer as well", async () => {
      expect((await invokeTail<string>(agent.url, "bun-timer")).body).toBe("bun late");
      for (let attempt = 0; attempt < 2; attempt++) {
        const { body, log } = await invokeTail(agent.url, "bun-plain-timer");
        expect(body).toBeNull();
        expect(log).toContain(`\t${requestIdOf(log)}\tINFO\tbun timer fired`);
      }
    });
  });

  describe("errors are logged as Lambda logs them", () => {
    test("a throwing handler's log has an ERROR 'Invoke Error' line with the error as JSON, before END", async () => {
      const { functionError, log } = await invokeTail<ErrorBody>(agent.url, "throws");
      expect(functionError).toBe("Unhandled");
      const id = requestIdOf(log);
      const line = new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tERROR\\tInvoke Error \\t(\\{.*\\})$`,
        "m",
      )
        .exec(log);
      expect(line).not.toBeNull();
      const logged = JSON.parse(line?.[1] ?? "{}");
      expect(logged).toMatchObject({
        errorType: "ValidationError",
        errorMessage: "the order has no items",
        code: "E_ITEMS",
      });
      expect(logged.stack[0]).toBe("ValidationError: the order has no items");
      expect(log.indexOf("Invoke Error")).toBeLessThan(log.indexOf("END RequestId:"));
    });

    test("callback(err) and context.fail(err) are logged the same way", async () => {
      const viaCallback = await invokeTail(agent.url, "callback-error");
      expect(viaCallback.log).toMatch(
        /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"bad input",/,
      );
      const corrupt = JSON.stringify({ awslogs: { data: "AAAA" } });
      const viaFail = await invokeTail(agent.url, "gunzip", corrupt);
      expect(viaFail.log).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"/);
    });
  });

  describe("the awslambda global", () => {
    test("a streamified handler invoked with RequestResponse answers the chunks it wrote, joined", async () => {
      const response = await invoke(agent.url, "streamified", "{}");
      expect(response.status).toBe(200);
      expect(response.headers.get("x-amz-function-error")).toBeNull();
      expect(await response.text()).toBe("ab");
    });

    test("HttpResponseStream.from invoked with RequestResponse answers the raw stream: metadata JSON, 8 NUL bytes, body", async () => {
      const response = await invoke(agent.url, "streamified-http", "{}");
      expect(response.status).toBe(200);
      const prelude = JSON.stringify({ statusCode: 201, headers: { "x-k": "v" } });
      expect(await response.text()).toBe(`${prelude}${"\0".repeat(8)}<p>hi</p>`);
    });

    test("a streamified handler that never ends its stream is a function error", async () => {
      const { functionError, body } = await invokeTail<ErrorBody>(agent.url, "streamified-unfinished");
      expect(functionError).toBe("Unhandled");
      expect(body.errorMessage).toBe("Response stream is not finished.");
    });
  });
});
