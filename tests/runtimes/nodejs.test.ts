/** @module The nodejs runtimes: module styles, handler styles, the context object, logs and every error type. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";
import { createBodyWith, deploy, invokeTail } from "../helpers/functions.ts";

interface ErrorBody {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

const CONTEXT_HANDLER = `exports.handler = async (event, context) => ({
  awsRequestId: context.awsRequestId,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  remaining: context.getRemainingTimeInMillis(),
  clientContext: context.clientContext,
  identity: context.identity ?? null,
  waits: context.callbackWaitsForEmptyEventLoop,
});
`;

describe("nodejs runtimes", () => {
  let agent: AgentProcess;
  const marker = join(workerWritableDir(), "after-callback");

  beforeAll(async () => {
    agent = await startAgentProcess();
    const node = (name: string, handler: string, files: Record<string, string>, extra = {}) =>
      deploy(agent.url, createBodyWith(name, "nodejs20.x", handler, files, extra));
    await Promise.all([
      node("cjs", "index.handler", {
        "index.js": "module.exports.handler = async (e) => ({ style: 'cjs', e });",
      }),
      node("esm-mjs", "index.handler", {
        "index.mjs": "export const handler = async () => ({ style: 'mjs' });",
      }),
      node("esm-type-module", "app.handler", {
        "package.json": '{"type":"module"}',
        "app.js":
          "import { style } from './lib/style.js'; export async function handler() { return { style }; }",
        "lib/style.js": "export const style = 'type-module';",
      }),
      node("nested", "src/handlers/app.handler", {
        "src/handlers/app.js": "exports.handler = async () => ({ nested: true });",
      }),
      node("promise", "index.handler", {
        "index.js":
          "exports.handler = (event) => new Promise((resolve) => setTimeout(() => resolve({ promised: event.n }), 5));",
      }),
      node("callback-waits", "index.handler", {
        "index.js": `const fs = require("node:fs");
exports.handler = (event, context, callback) => {
  setTimeout(() => fs.writeFileSync(event.marker, "late work done"), 150);
  callback(null, { answered: true });
};`,
      }),
      node("callback-no-wait", "index.handler", {
        "index.js": `exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 2000);
  callback(null, { answered: "at once" });
};`,
      }),
      node("callback-error", "index.handler", {
        "index.js": "exports.handler = (event, context, callback) => callback(new TypeError('bad input'));",
      }),
      node("context", "index.handler", { "index.js": CONTEXT_HANDLER }, { MemorySize: 256, Timeout: 9 }),
      node("logs", "index.handler", {
        "index.js": `exports.handler = async () => {
  console.log("info line", { a: 1 });
  console.warn("warn line");
  console.error("error line");
  process.stdout.write("raw stdout\\n");
  return "logged";
};`,
      }),
      node("missing-module", "nothere.handler", { "index.js": "exports.handler = async () => 1;" }),
      node("missing-handler", "index.nothere", { "index.js": "exports.handler = async () => 1;" }),
      node("syntax-error", "index.handler", { "index.js": "exports.handler = async () => { return 1;" }),
      node("init-throws", "index.handler", {
        "index.js": "throw new Error('cannot load model'); exports.handler = () => 1;",
      }),
      node("malformed", "index", { "index.js": "exports.handler = async () => 1;" }),
      node("exits", "index.handler", {
        "index.js":
          "let calls = 0; exports.handler = async (event) => { calls++; if (event.exit) process.exit(event.exit); return { calls }; };",
      }),
      node("killed", "index.handler", {
        "index.js":
          "let calls = 0; exports.handler = async (event) => { calls++; if (event.kill) process.kill(process.pid, 'SIGKILL'); return { calls }; };",
      }),
      node("uncaught", "index.handler", {
        "index.js":
          "exports.handler = async (event) => { if (event.crash) setTimeout(() => { throw new RangeError('async boom'); }, 1); await new Promise((r) => setTimeout(r, 50)); return 'ok'; };",
      }),
      node("binary", "index.handler", {
        "index.js":
          "exports.handler = async (event) => ({ isBuffer: Buffer.isBuffer(event), hex: event.toString('hex') });",
      }, {
        Edge: { inputPayloadEncodingType: "binary" },
      }),
    ]);
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
  });

  test('CommonJS, .mjs, "type": "module" and nested handler paths all load', async () => {
    expect((await invokeTail(agent.url, "cjs", '{"x":1}')).body).toEqual({ style: "cjs", e: { x: 1 } });
    expect((await invokeTail(agent.url, "esm-mjs")).body).toEqual({ style: "mjs" });
    expect((await invokeTail(agent.url, "esm-type-module")).body).toEqual({ style: "type-module" });
    expect((await invokeTail(agent.url, "nested")).body).toEqual({ nested: true });
  });

  test("a handler returning a promise answers with its value", async () => {
    expect((await invokeTail(agent.url, "promise", '{"n":7}')).body).toEqual({ promised: 7 });
  });

  test("callback handlers wait for the event loop to empty unless callbackWaitsForEmptyEventLoop is false", async () => {
    const waited = await invokeTail(agent.url, "callback-waits", JSON.stringify({ marker }));
    expect(waited.body).toEqual({ answered: true });
    expect(existsSync(marker)).toBe(true);
    const started = performance.now();
    const quick = await invokeTail(agent.url, "callback-no-wait");
    expect(quick.body).toEqual({ answered: "at once" });
    expect(performance.now() - started).toBeLessThan(1500);
    const failed = await invokeTail<ErrorBody>(agent.url, "callback-error");
    expect(failed.functionError).toBe("Unhandled");
    expect(failed.body).toMatchObject({ errorType: "TypeError", errorMessage: "bad input" });
  });

  test("the context object carries every field Lambda gives", async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { room: "kitchen" }, env: { locale: "fr" } }))
      .toString(
        "base64",
      );
    const { body } = await invokeTail<Record<string, unknown>>(agent.url, "context", "{}", {
      "X-Amz-Client-Context": clientContext,
    });
    expect(body).toMatchObject({
      functionName: "context",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:context",
      memoryLimitInMB: "256",
      logGroupName: "/aws/lambda/context",
      clientContext: { custom: { room: "kitchen" }, env: { locale: "fr" } },
      identity: null,
      waits: true,
    });
    expect(body.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(body.remaining).toBeGreaterThan(8000);
    expect(body.remaining).toBeLessThanOrEqual(9000);
  });

  test("console lines are tagged with the time, request id and level, as Lambda writes them", async () => {
    const { body, log } = await invokeTail<string>(agent.url, "logs");
    expect(body).toBe("logged");
    const id = /START RequestId: ([0-9a-f-]{36})/.exec(log)?.[1];
    expect(id).toBeDefined();
    expect(log).toMatch(new RegExp(`\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tINFO\\tinfo line { a: 1 }\\n`));
    expect(log).toContain(`\t${id}\tWARN\twarn line`);
    expect(log).toContain(`\t${id}\tERROR\terror line`);
    expect(log).toContain("raw stdout");
  });

  const initErrors: [string, string, RegExp][] = [
    ["missing-module", "Runtime.ImportModuleError", /Cannot find module 'nothere'/],
    ["missing-handler", "Runtime.HandlerNotFound", /index\.nothere is undefined or not exported/],
    ["syntax-error", "Runtime.UserCodeSyntaxError", /SyntaxError/],
    ["init-throws", "Error", /cannot load model/],
    ["malformed", "Runtime.MalformedHandlerName", /Bad handler index/],
  ];
  for (const [name, errorType, message] of initErrors) {
    test(`${errorType} comes back to the caller as a function error (${name}), every time`, async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const result = await invokeTail<ErrorBody>(agent.url, name);
        expect(result.status).toBe(200);
        expect(result.functionError).toBe("Unhandled");
        expect(result.body.errorType).toBe(errorType);
        expect(result.body.errorMessage).toMatch(message);
        expect(result.log).toContain("START RequestId:");
      }
    });
  }

  test("a process that exits during an invocation is Runtime.ExitError with its exit code; the next one works", async () => {
    const exited = await invokeTail<ErrorBody>(agent.url, "exits", '{"exit":3}');
    expect(exited.functionError).toBe("Unhandled");
    expect(exited.body.errorType).toBe("Runtime.ExitError");
    expect(exited.body.errorMessage).toMatch(
      /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/,
    );
    expect((await invokeTail(agent.url, "exits")).body).toMatchObject({ calls: 1 });
  });

  test("a process killed by a signal is Runtime.ExitError naming it; the next one works", async () => {
    const killed = await invokeTail<ErrorBody>(agent.url, "killed", '{"kill":true}');
    expect(killed.body.errorType).toBe("Runtime.ExitError");
    expect(killed.body.errorMessage).toEndWith("Runtime exited with error: signal: killed");
    expect((await invokeTail(agent.url, "killed")).body).toEqual({ calls: 1 });
  });

  test("an uncaught exception ends the invocation with its error; the next one works", async () => {
    const crashed = await invokeTail<ErrorBody>(agent.url, "uncaught", '{"crash":true}');
    expect(crashed.functionError).toBe("Unhandled");
    expect(crashed.body).toMatchObject({ errorType: "RangeError", errorMessage: "async boom" });
    expect((await invokeTail<string>(agent.url, "uncaught", "{}")).body).toBe("ok");
  });

  test("inputPayloadEncodingType binary hands the raw bytes to the handler as a Buffer", async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const { status, body } = await invokeTail(agent.url, "binary", bytes);
    expect(status).toBe(200);
    expect(body).toEqual({ isBuffer: true, hex: "000102faff" });
  });
});
