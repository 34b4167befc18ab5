/**
 * @module Greengrass v1 functions run unmodified: the Node.js Core SDK from npm and a greengrasssdk-shaped Python
 * package publish, invoke and get refused through the agent's IPC door, each worker with its own AUTH_TOKEN.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { createBodyWith, deploy, eventually, invoke, invokeTail, readJson } from "../helpers/functions.ts";
import { greengrasssdkStandIn } from "../helpers/greengrasssdk-standin.ts";
import { CANNOT_ISOLATE, cannotIsolate } from "../helpers/host-isolation.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";
import { packageFiles } from "../helpers/node-packages.ts";
import { runProcess } from "../helpers/process.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";

// workers start, publish on timers and run queued events
setDefaultTimeout(60_000);

const SDK_VERSION = "1.7.0";
const SDK_DIR = join(tmpdir(), `lambdalet-aws-greengrass-core-sdk-${SDK_VERSION}`);
const SDK_MODULES = join(SDK_DIR, "node_modules");

/** Installs the Node.js Core SDK from npm once per machine (it and its one dependency, cbor). */
async function installSdk(): Promise<void> {
  if (existsSync(join(SDK_MODULES, "aws-greengrass-core-sdk", "package.json"))) return;
  mkdirSync(SDK_DIR, { recursive: true });
  writeFileSync(join(SDK_DIR, "package.json"), JSON.stringify({ name: "gg-sdk-host", private: true }));
  const { stdout, stderr, code } = await runProcess(
    ["npm", "install", "--no-audit", "--no-fund", `aws-greengrass-core-sdk@${SDK_VERSION}`],
    { cwd: SDK_DIR },
  );
  if (code !== 0) {
    throw new Error(`npm install aws-greengrass-core-sdk failed (${code}):\n${stdout}\n${stderr}`);
  }
}

/** Greengrass's HelloWorld shape: module-level code publishes on a timer from the moment the pinned worker starts. */
const HELLO = `const ggSdk = require("aws-greengrass-core-sdk");
const iotClient = new ggSdk.IotData();
let count = 0;
const timer = setInterval(() => {
  count += 1;
  if (count >= 20) clearInterval(timer);
  const payload = JSON.stringify({ count, from: process.env.AWS_LAMBDA_FUNCTION_NAME });
  iotClient.publish({ topic: "hello/world", payload }, (err) => {
    if (err) console.error("publish failed: " + err.message);
  });
}, 100);
exports.handler = function handler(event, context) {
  console.log(JSON.stringify(event));
};
`;

/** Records each message it gets with the topic Greengrass's Node.js runtime showed (`Custom`) and the Lambda one. */
const SUBSCRIBER = `const fs = require("node:fs");
exports.handler = async (event, context) => {
  const cc = context.clientContext || {};
  const line = { Custom: cc.Custom ? cc.Custom.subject : null, custom: cc.custom ? cc.custom.subject : null, event };
  fs.appendFileSync(process.env.LOG, JSON.stringify(line) + "\\n");
};
`;

const ECHO = `const fs = require("node:fs");
exports.handler = async (event, context) => {
  if (event.log) fs.appendFileSync(process.env.LOG, JSON.stringify({ log: event.log, arn: context.invokedFunctionArn }) + "\\n");
  return { echo: event, version: process.env.AWS_LAMBDA_FUNCTION_VERSION };
};
`;

/** Calls every Core SDK client the way v1 functions do, and reports each outcome. */
const INVOKER = `const ggSdk = require("aws-greengrass-core-sdk");
const lambda = new ggSdk.Lambda();
const iot = new ggSdk.IotData();
const secrets = new ggSdk.SecretsManager();
const outcome = (start) => new Promise((resolve) => start((err, data) => resolve(err ? { error: err.message } : { data })));
exports.handler = async (event) => ({
  myArn: process.env.MY_FUNCTION_ARN,
  token: process.env.AUTH_TOKEN,
  versioned: await outcome((cb) => lambda.invoke({
    FunctionName: "arn:aws:lambda:us-west-2:123456789012:function:gg-echo:1",
    Payload: JSON.stringify({ from: "invoker" }),
  }, cb)),
  queued: await outcome((cb) => lambda.invoke({
    FunctionName: "arn:aws:lambda:us-west-2:123456789012:function:gg-echo",
    Qualifier: "$LATEST",
    InvocationType: "Event",
    Payload: JSON.stringify({ log: event.mark }),
  }, cb)),
  notAllowed: await outcome((cb) => lambda.invoke({ FunctionName: "gg-hello", Payload: "{}" }, cb)),
  published: await outcome((cb) => iot.publish({ topic: "invoker/news", payload: JSON.stringify({ fresh: true }) }, cb)),
  publishOutside: await outcome((cb) => iot.publish({ topic: "hello/world", payload: "{}" }, cb)),
  shadow: await outcome((cb) => iot.getThingShadow({ thingName: "lamp" }, cb)),
  secret: await outcome((cb) => secrets.getSecretValue({ SecretId: "db" }, cb)),
});
`;

const PLAIN = `const ggSdk = require("aws-greengrass-core-sdk");
exports.handler = async () => ({
  myArn: process.env.MY_FUNCTION_ARN,
  hasToken: "AUTH_TOKEN" in process.env,
  publish: await new Promise((resolve) => new ggSdk.IotData().publish({ topic: "any", payload: "{}" }, (err) => resolve(err ? err.message : "sent"))),
});
`;

const PYTHON = `import json

import greengrasssdk
from greengrass_common.env_vars import MY_FUNCTION_ARN

iot = greengrasssdk.client("iot-data")
lam = greengrasssdk.client("lambda")


def attempt(call):
    try:
        return {"ok": call()}
    except Exception as error:
        return {"error": type(error).__name__, "message": str(error)}


def invoke_echo():
    response = lam.invoke(
        FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:gg-echo",
        Payload=json.dumps({"from": "python"}),
    )
    return {"functionError": response["FunctionError"], "payload": json.loads(response["Payload"].read())}


def handler(event, context):
    return {
        "myArn": MY_FUNCTION_ARN,
        "publish": attempt(lambda: iot.publish(topic="py/out", payload=json.dumps({"from": "python"}))),
        "invoke": attempt(invoke_echo),
        "event": attempt(lambda: lam.invoke(FunctionName="gg-echo", InvocationType="Event",
                                            Payload=json.dumps({"log": "from-python"}))["FunctionError"]),
        "publishOutside": attempt(lambda: iot.publish(topic="hello/world", payload="{}")),
        "invokeOutside": attempt(lambda: lam.invoke(FunctionName="gg-invoker", Payload=b"{}")),
        "shadow": attempt(lambda: iot.get_thing_shadow(thingName="lamp")),
        "secret": attempt(lambda: greengrasssdk.client("secretsmanager").get_secret_value(SecretId="db")),
    }
`;

const PYTHON_SUBSCRIBER = `import json
import os


def handler(event, context):
    with open(os.environ["LOG"], "a") as log:
        log.write(json.dumps({"subject": context.client_context.custom["subject"], "event": event}) + "\\n")
`;

interface Line {
  [key: string]: unknown;
}

function lines(path: string): Line[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Line);
}

const npmMissing = Bun.which("npm") ? "" : "npm is not on PATH";
if (npmMissing) explainSkip("Greengrass v1 SDK tests", npmMissing);

describe.skipIf(Boolean(npmMissing))("Greengrass v1 functions run unmodified", () => {
  let agent: AgentProcess;
  const work = workerWritableDir("lambdalet-greengrass-");
  const log = (name: string) => join(work, `${name}.jsonl`);
  const ipcUrl = (arn: string) =>
    `${agent.url}/lambdalet/v1/ipc/functions/${encodeURIComponent(arn)}/invocations`;

  const nodeFunction = (name: string, source: string, edge: Record<string, unknown>) =>
    createBodyWith(name, "nodejs20.x", "index.handler", {
      "index.js": source,
      ...packageFiles(SDK_MODULES, ["aws-greengrass-core-sdk"]),
    }, { Timeout: 20, Environment: { Variables: { LOG: log(name) } }, Edge: edge });

  beforeAll(async () => {
    await installSdk();
    agent = await startAgentProcess({ dataDir: join(work, "data") });
    await deploy(agent.url, nodeFunction("gg-echo", ECHO, {}));
    const published = await apiFetch(`${agent.url}/2015-03-31/functions/gg-echo/versions`, {
      method: "POST",
      body: "{}",
    });
    expect(published.status).toBe(201);
    await deploy(
      agent.url,
      nodeFunction("gg-sub", SUBSCRIBER, { eventSources: [{ type: "PUB_SUB", topic: "hello/world" }] }),
    );
    await deploy(
      agent.url,
      nodeFunction("gg-invoker", INVOKER, { invokeFunctions: ["gg-echo"], publishTopics: ["invoker/#"] }),
    );
    await deploy(agent.url, nodeFunction("gg-plain", PLAIN, {}));
    await deploy(
      agent.url,
      createBodyWith("gg-py", "python3.12", "app.handler", { "app.py": PYTHON, ...greengrasssdkStandIn() }, {
        Timeout: 20,
        Edge: { invokeFunctions: ["gg-echo"], publishTopics: ["py/out"] },
      }),
    );
    await deploy(
      agent.url,
      createBodyWith("gg-py-sub", "python3.12", "app.handler", { "app.py": PYTHON_SUBSCRIBER }, {
        Environment: { Variables: { LOG: log("gg-py-sub") } },
        Edge: { eventSources: [{ type: "PUB_SUB", topic: "py/out" }] },
      }),
    );
    if (CANNOT_ISOLATE === null) {
      const boxed = {
        containerMode: "GreengrassContainer",
        containerParams: { memorySizeInKB: 262144 },
        invokeFunctions: ["gg-echo"],
        publishTopics: ["py/out"],
      };
      await deploy(agent.url, nodeFunction("gg-box-node", INVOKER, boxed));
      await deploy(
        agent.url,
        createBodyWith("gg-box-py", "python3.12", "app.handler", {
          "app.py": PYTHON,
          ...greengrasssdkStandIn(),
        }, {
          Timeout: 20,
          Edge: boxed,
        }),
      );
    }
    // last: it starts publishing as soon as its pinned worker is up
    await deploy(
      agent.url,
      nodeFunction("gg-hello", HELLO, { pinned: true, publishTopics: ["hello/world"] }),
    );
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
  });

  describe("Node.js (npm aws-greengrass-core-sdk, unmodified)", () => {
    test("a pinned function publishes from module-level code; the subscriber gets each message with its topic in Custom.subject", async () => {
      const got = await eventually(() => {
        const seen = lines(log("gg-sub"));
        return seen.length >= 20 ? seen : undefined;
      }, 30_000);
      expect(got.map((line) => (line.event as { count: number }).count)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(got.every((line) => line.Custom === "hello/world" && line.custom === "hello/world")).toBe(true);
      expect(got[0]!.event).toEqual({ count: 1, from: "gg-hello" });
    });

    test("the Lambda client invokes another function by its cloud ARN and version, and queues an Event", async () => {
      const { body, functionError } = await invokeTail<Record<string, { data?: unknown; error?: string }>>(
        agent.url,
        "gg-invoker",
        JSON.stringify({ mark: "from-node" }),
      );
      expect(functionError).toBeNull();
      const versioned = body.versioned!.data as {
        StatusCode: number;
        Payload: string;
        FunctionError?: string;
      };
      expect(versioned.StatusCode).toBe(200);
      expect(versioned.FunctionError).toBeUndefined();
      expect(JSON.parse(versioned.Payload)).toEqual({ echo: { from: "invoker" }, version: "1" });
      expect(typeof body.queued!.data).toBe("string");
      expect(body.myArn as unknown).toBe("arn:aws:lambda:us-east-1:000000000000:function:gg-invoker:$LATEST");
      const queued = await eventually(() => lines(log("gg-echo")).find((line) => line.log === "from-node"));
      expect(queued.arn).toBe("arn:aws:lambda:us-east-1:000000000000:function:gg-echo:$LATEST");
      expect(body.published).toEqual({ data: expect.any(String) });
    });

    test("outside Edge.invokeFunctions and Edge.publishTopics the SDK gets AccessDeniedException", async () => {
      const { body } = await invokeTail<Record<string, { error?: string }>>(agent.url, "gg-invoker", "{}");
      expect(body.notAllowed!.error).toContain("AccessDeniedException");
      expect(body.notAllowed!.error).toContain("gg-hello");
      expect(body.publishOutside!.error).toContain("AccessDeniedException");
      expect(body.publishOutside!.error).toContain("hello/world");
    });

    test("shadow and secrets calls answer that they are not supported on this device", async () => {
      const { body } = await invokeTail<Record<string, { error?: string }>>(agent.url, "gg-invoker", "{}");
      expect(body.shadow!.error).toContain(
        "Thing shadows (GGShadowService) are not supported on this device",
      );
      expect(body.secret!.error).toContain(
        "Local secrets (GGSecretManager) are not supported on this device",
      );
    });

    test("a function with neither publishTopics nor invokeFunctions has MY_FUNCTION_ARN but no AUTH_TOKEN", async () => {
      const { body } = await invokeTail<{ myArn: string; hasToken: boolean; publish: string }>(
        agent.url,
        "gg-plain",
        "{}",
      );
      expect(body.myArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:gg-plain:$LATEST");
      expect(body.hasToken).toBe(false);
      expect(body.publish).toContain("may not use Greengrass IPC");
    });
  });

  describe("Python (a greengrasssdk-shaped package over greengrass_common and greengrass_ipc_python_sdk)", () => {
    test("publishes (the subscriber sees client_context.custom['subject']), invokes, queues, and is refused outside its grant", async () => {
      const { body, functionError } = await invokeTail<Record<string, Record<string, unknown>>>(
        agent.url,
        "gg-py",
        "{}",
      );
      expect({ functionError, body: functionError ? body : null }).toEqual({
        functionError: null,
        body: null,
      });
      expect(body.myArn as unknown).toBe("arn:aws:lambda:us-east-1:000000000000:function:gg-py:$LATEST");
      expect(body.publish).toEqual({ ok: null });
      expect(body.invoke).toEqual({
        ok: { functionError: "", payload: { echo: { from: "python" }, version: "$LATEST" } },
      });
      expect(body.event).toEqual({ ok: "" });
      expect(body.publishOutside).toMatchObject({ error: "InvocationException" });
      expect(body.publishOutside!.message).toContain("AccessDeniedException");
      expect(body.invokeOutside).toMatchObject({ error: "InvocationException" });
      expect(body.invokeOutside!.message).toContain("AccessDeniedException");
      expect(body.shadow!.message).toContain("not supported on this device");
      expect(body.secret!.message).toContain("not supported on this device");
      const received = await eventually(() => lines(log("gg-py-sub"))[0]);
      expect(received).toEqual({ subject: "py/out", event: { from: "python" } });
      await eventually(() => lines(log("gg-echo")).find((line) => line.log === "from-python"));
    });
  });

  describe.skipIf(cannotIsolate("Greengrass SDKs in containers"))("in a GreengrassContainer", () => {
    test("the modules are found under /var/runtime and the door is reached from the container", async () => {
      const node = await invokeTail<Record<string, { data?: { Payload: string }; error?: string }>>(
        agent.url,
        "gg-box-node",
        "{}",
      );
      expect({ error: node.functionError, body: node.functionError ? node.body : null }).toEqual({
        error: null,
        body: null,
      });
      expect(JSON.parse(node.body.versioned!.data!.Payload)).toEqual({
        echo: { from: "invoker" },
        version: "1",
      });
      expect(node.body.shadow!.error).toContain("not supported on this device");
      const python = await invokeTail<Record<string, unknown>>(agent.url, "gg-box-py", "{}");
      expect(python.functionError).toBeNull();
      expect(python.body.invoke).toEqual({
        ok: { functionError: "", payload: { echo: { from: "python" }, version: "$LATEST" } },
      });
      expect(python.body.publish).toEqual({ ok: null });
    });
  });

  describe("the IPC door", () => {
    const echoArn = "arn:aws:lambda:us-east-1:000000000000:function:gg-echo";

    test("refuses a request without a token, and one with a token it never gave", async () => {
      const none = await fetch(ipcUrl(echoArn), { method: "POST", body: "{}" });
      await expectLambdaError(none, 403, "MissingAuthenticationTokenException");
      const forged = await fetch(ipcUrl(echoArn), {
        method: "POST",
        body: "{}",
        headers: { Authorization: "Bearer not-a-token-the-agent-gave" },
      });
      await expectLambdaError(forged, 403, "UnrecognizedClientException");
      // nor does a signed admin request get in: the door knows only workers' tokens
      const signed = await apiFetch(ipcUrl(echoArn), { method: "POST", body: "{}" });
      await expectLambdaError(signed, 403, "MissingAuthenticationTokenException");
    });

    test("a worker's token does only what its function was given, and dies with the worker", async () => {
      const { body } = await invokeTail<{ token: string }>(agent.url, "gg-invoker", "{}");
      const headers = { Authorization: `Bearer ${body.token}` };
      const allowed = await fetch(ipcUrl(echoArn), { method: "POST", body: '{"direct":1}', headers });
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ echo: { direct: 1 }, version: "$LATEST" });
      const other = await fetch(ipcUrl("arn:aws:lambda:us-east-1:000000000000:function:gg-py"), {
        method: "POST",
        body: "{}",
        headers,
      });
      await expectLambdaError(other, 403, "AccessDeniedException");
      const context = Buffer.from(JSON.stringify({ custom: { subject: "py/out" } })).toString("base64");
      const publish = await fetch(ipcUrl("arn:aws:lambda:::function:GGRouter"), {
        method: "POST",
        body: "{}",
        headers: { ...headers, "X-Amz-Invocation-Type": "Event", "X-Amz-Client-Context": context },
      });
      await expectLambdaError(publish, 403, "AccessDeniedException");
      // a configuration change retires the function's warm workers: their tokens go with them
      const updated = await apiFetch(`${agent.url}/2015-03-31/functions/gg-invoker/configuration`, {
        method: "PUT",
        body: JSON.stringify({ Description: "changed" }),
      });
      expect(updated.status).toBe(200);
      await eventually(async () => {
        const response = await fetch(ipcUrl(echoArn), { method: "POST", body: "{}", headers });
        if (response.status !== 403) return undefined;
        return await expectLambdaError(response, 403, "UnrecognizedClientException");
      }, 20_000);
    });
  });

  test("invokes keep working through the usual API too (the door changes nothing else)", async () => {
    const response = await invoke(agent.url, "gg-echo", '{"plain":true}');
    expect(await readJson(response)).toEqual({ echo: { plain: true }, version: "$LATEST" });
  });
});
