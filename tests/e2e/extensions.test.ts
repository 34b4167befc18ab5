/** @module Extensions and the Telemetry API with real workers: shell and Node.js extensions from layers, in both modes. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ZipEntry } from "../../lib/code/mod.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { createBodyWith, deploy, eventually, invokeTail, publishLayer } from "../helpers/functions.ts";
import { CANNOT_ISOLATE, cannotIsolate } from "../helpers/host-isolation.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";

const executable = (content: string): ZipEntry => ({ content, mode: 0o755 });

/** A shell + curl extension: registers, subscribes to telemetry (to $TELEMETRY_URI), logs each event to $OUT_DIR. */
const SHELL_EXTENSION = `#!/bin/sh
set -e
API="http://$AWS_LAMBDA_RUNTIME_API"
OUT="$OUT_DIR/shell-ext.log"
HEADERS="$OUT_DIR/shell-ext.headers.$$"
curl -sSf -D "$HEADERS" -X POST "$API/2020-01-01/extension/register" \\
  -H "Lambda-Extension-Name: \${EXT_NAME:-shell-ext}" -d '{"events":["INVOKE","SHUTDOWN"]}' > "$OUT_DIR/shell-ext.registered"
ID=$(grep -i '^lambda-extension-identifier:' "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)
rm -f "$HEADERS"
if [ -n "$TELEMETRY_URI" ]; then
  curl -sSf -X PUT "$API/2022-07-01/telemetry" -H "Lambda-Extension-Identifier: $ID" \\
    -d '{"schemaVersion":"2022-12-13","types":["platform"],"buffering":{"timeoutMs":25},"destination":{"protocol":"HTTP","URI":"'"$TELEMETRY_URI"'"}}' > /dev/null
fi
echo "shell extension ready"
while true; do
  EVENT=$(curl -sSf "$API/2020-01-01/extension/event/next" -H "Lambda-Extension-Identifier: $ID")
  echo "event $EVENT" >> "$OUT"
  case "$EVENT" in *'"SHUTDOWN"'*) exit 0 ;; esac
done
`;

/** A Node.js extension with its own telemetry listener; everything it gets goes to $OUT_DIR/node-ext.log. */
const NODE_EXTENSION = `#!/usr/bin/env node
const http = require("node:http");
const fs = require("node:fs");
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API;
const out = (line) => fs.appendFileSync(process.env.OUT_DIR + "/node-ext.log", line + "\\n");
(async () => {
  const registered = await fetch(api + "/2020-01-01/extension/register", {
    method: "POST",
    headers: { "Lambda-Extension-Name": "node-ext", "Lambda-Extension-Accept-Feature": "accountId" },
    body: JSON.stringify({ events: ["INVOKE", "SHUTDOWN"] }),
  });
  const id = registered.headers.get("lambda-extension-identifier");
  out("registered " + JSON.stringify(await registered.json()));
  const listener = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      for (const record of JSON.parse(body)) out("telemetry " + JSON.stringify(record));
      res.end("OK");
    });
  });
  await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const subscribed = await fetch(api + "/2022-07-01/telemetry", {
    method: "PUT",
    headers: { "Lambda-Extension-Identifier": id, "Content-Type": "application/json" },
    body: JSON.stringify({
      schemaVersion: "2022-12-13",
      types: ["platform", "function"],
      buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 },
      destination: { protocol: "HTTP", URI: "http://sandbox.localdomain:" + listener.address().port + "/" },
    }),
  });
  out("subscribed " + subscribed.status);
  for (;;) {
    const next = await fetch(api + "/2020-01-01/extension/event/next", { headers: { "Lambda-Extension-Identifier": id } });
    const event = await next.json();
    out("event " + JSON.stringify(event));
    if (event.eventType === "SHUTDOWN") process.exit(0);
  }
})();
`;

/** An extension that takes a second after each INVOKE before it calls next again. */
const SLOW_EXTENSION = `#!/bin/sh
set -e
API="http://$AWS_LAMBDA_RUNTIME_API/2020-01-01/extension"
HEADERS="$OUT_DIR/slow.headers.$$"
curl -sSf -D "$HEADERS" -X POST "$API/register" -H "Lambda-Extension-Name: slow-ext" -d '{"events":["INVOKE"]}' > /dev/null
ID=$(grep -i '^lambda-extension-identifier:' "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)
while true; do
  EVENT=$(curl -sSf "$API/event/next" -H "Lambda-Extension-Identifier: $ID")
  REQUEST=$(echo "$EVENT" | sed 's/.*"requestId":"\\([^"]*\\)".*/\\1/')
  sleep 1
  echo "extension done $REQUEST" >> "$OUT_DIR/order.log"
done
`;

const HANDLER = `const fs = require("node:fs");
exports.handler = async (event, context) => {
  if (process.env.OUT_DIR) fs.appendFileSync(process.env.OUT_DIR + "/order.log", "handler " + context.awsRequestId + "\\n");
  console.log("function line " + context.awsRequestId);
  return { requestId: context.awsRequestId, runtimeApi: process.env.AWS_LAMBDA_RUNTIME_API, wrapped: process.env.WRAPPED ?? null };
};`;

/** A `provided` runtime in shell + curl that answers every invocation with what its wrapper set. */
const PROVIDED_BOOTSTRAP = `#!/bin/sh
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
while true; do
  ID=$(curl -sS -D - -o /dev/null "$API/invocation/next" | grep -i '^lambda-runtime-aws-request-id:' | tr -d '\\r' | cut -d' ' -f2)
  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "{\\"wrapped\\":\\"$WRAPPED\\"}"
done
`;

const WRAPPER = `#!/bin/sh
export WRAPPED="by the wrapper, before $(basename "$1")"
exec "$@"
`;

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
}

/** The events an extension logged as `event {...}`. */
function eventsIn(path: string): Record<string, unknown>[] {
  return lines(path).filter((line) => line.startsWith("event ")).map((line) => JSON.parse(line.slice(6)));
}

/** The telemetry records an extension logged as `telemetry {...}`. */
function telemetryIn(path: string): { type: string; record: Record<string, unknown> }[] {
  return lines(path).filter((line) => line.startsWith("telemetry ")).map((line) =>
    JSON.parse(line.slice(10))
  );
}

describe("extensions and the Telemetry API", () => {
  let agent: AgentProcess;
  const arns: Record<string, string> = {};
  /** What the shell extensions' telemetry subscriptions deliver to this test's own listener. */
  const delivered: { type: string; record: Record<string, unknown> }[] = [];
  let listener: ReturnType<typeof Bun.serve>;

  const publish = (name: string, files: Record<string, ZipEntry>) => publishLayer(agent.url, name, files);

  beforeAll(async () => {
    listener = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        delivered.push(...(await req.json()) as typeof delivered);
        return new Response("OK");
      },
    });
    agent = await startAgentProcess();
    arns.shell = await publish("shell-extension", { "extensions/shell-ext": executable(SHELL_EXTENSION) });
    arns.node = await publish("node-extension", { "extensions/node-ext": executable(NODE_EXTENSION) });
    arns.slow = await publish("slow-extension", { "extensions/slow-ext": executable(SLOW_EXTENSION) });
    arns.crash = await publish("crashing-extension", {
      "extensions/crash-ext": executable("#!/bin/sh\nexit 3\n"),
    });
    arns.misnamed = await publish("misnamed-extension", {
      "extensions/misnamed-ext": executable(
        SHELL_EXTENSION.replace("${EXT_NAME:-shell-ext}", "another-name"),
      ),
    });
    arns.initError = await publish("init-error-extension", {
      "extensions/init-error-ext": executable(`#!/bin/sh
API="http://$AWS_LAMBDA_RUNTIME_API/2020-01-01/extension"
ID=$(curl -sS -D - -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: init-error-ext" -d '{"events":["INVOKE"]}' | grep -i '^lambda-extension-identifier:' | tr -d '\\r' | cut -d' ' -f2)
curl -sS -X POST "$API/init/error" -H "Lambda-Extension-Identifier: $ID" -H "Lambda-Extension-Function-Error-Type: Extension.ConfigInvalid" -d '{"errorMessage":"no config","errorType":"Extension.ConfigInvalid"}'
exit 1
`),
    });
  });

  afterAll(async () => {
    await agent?.stop();
    listener?.stop(true);
  });

  const modes = [
    { mode: "NoContainer", skip: false },
    { mode: "GreengrassContainer", skip: CANNOT_ISOLATE !== null },
  ] as const;
  cannotIsolate("extensions in GreengrassContainer workers");

  for (const { mode, skip } of modes) {
    describe.skipIf(skip)(`in ${mode} mode`, () => {
      /** The function's settings in this mode: a container shows the folder the extensions write to. */
      const edge = (out: string) => ({
        containerMode: mode,
        ...(mode === "GreengrassContainer"
          ? {
            containerParams: {
              memorySizeInKB: 262144,
              volumes: [{ sourcePath: out, destinationPath: out, permission: "rw" }],
            },
          }
          : {}),
      });
      const name = (base: string) => `${base}-${mode === "NoContainer" ? "nc" : "gc"}`;

      test("shell and Node.js extensions register, get INVOKE and SHUTDOWN, and receive platform.report", async () => {
        const out = workerWritableDir("lambdalet-ext-");
        const telemetryUri = `http://sandbox.localdomain:${listener.port}/${name("shell")}`;
        await deploy(
          agent.url,
          createBodyWith(name("extended"), "nodejs20.x", "index.handler", { "index.js": HANDLER }, {
            Layers: [arns.shell, arns.node],
            Timeout: 10,
            Environment: { Variables: { OUT_DIR: out, TELEMETRY_URI: telemetryUri } },
            Edge: edge(out),
          }),
        );
        const first = await invokeTail<{ requestId: string; runtimeApi: string }>(
          agent.url,
          name("extended"),
          "{}",
        );
        expect(first.functionError, first.log).toBeNull();
        const second = await invokeTail<{ requestId: string }>(agent.url, name("extended"), "{}");
        expect(second.functionError, second.log).toBeNull();
        const ids = [first.body.requestId, second.body.requestId];

        const nodeLog = join(out, "node-ext.log");
        const registered = JSON.parse(
          lines(nodeLog).find((line) => line.startsWith("registered "))!.slice(11),
        );
        expect(registered).toEqual({
          functionName: name("extended"),
          functionVersion: "$LATEST",
          handler: "index.handler",
          accountId: expect.any(String),
        });
        expect(lines(nodeLog)).toContain("subscribed 200");
        for (const log of [nodeLog, join(out, "shell-ext.log")]) {
          const invokes = eventsIn(log).filter((event) => event.eventType === "INVOKE");
          expect(invokes.map((event) => event.requestId)).toEqual(ids);
          expect(invokes[0]).toMatchObject({
            deadlineMs: expect.any(Number),
            invokedFunctionArn: expect.stringContaining(`:function:${name("extended")}`),
            tracing: { type: "X-Amzn-Trace-Id", value: expect.any(String) },
          });
        }

        // each invocation's platform.report reaches the Node.js listener and, for the shell one, this test's listener
        const reports = await eventually(() => {
          const found = telemetryIn(nodeLog).filter((item) => item.type === "platform.report");
          return found.length >= 2 ? found : undefined;
        });
        expect(reports.map((item) => item.record.requestId)).toEqual(ids);
        expect(reports[0]!.record.metrics).toMatchObject({
          durationMs: expect.any(Number),
          billedDurationMs: expect.any(Number),
          memorySizeMB: 128,
          maxMemoryUsedMB: expect.any(Number),
          initDurationMs: expect.any(Number),
        });
        expect((reports[1]!.record.metrics as Record<string, unknown>).initDurationMs).toBeUndefined();
        const types = telemetryIn(nodeLog).map((item) => item.type);
        for (
          const type of [
            "platform.initStart",
            "platform.initRuntimeDone",
            "platform.initReport",
            "platform.start",
          ]
        ) {
          expect(types).toContain(type);
        }
        const runtimeDone = telemetryIn(nodeLog).find((item) => item.type === "platform.runtimeDone")!;
        expect(runtimeDone.record).toMatchObject({
          requestId: ids[0],
          status: "success",
          metrics: { durationMs: expect.any(Number), producedBytes: expect.any(Number) },
        });
        // the function's lines as the runtime wrote them (the nodejs runtime's text format)
        const functionLines = telemetryIn(nodeLog).filter((item) => item.type === "function");
        expect(functionLines.map((item) => String(item.record))).toContainEqual(
          expect.stringContaining(`\tINFO\tfunction line ${ids[0]}`),
        );
        const shellReports = await eventually(() => {
          const found = delivered.filter((item) =>
            item.type === "platform.report" && ids.includes(String(item.record.requestId))
          );
          return found.length >= 2 ? found : undefined;
        });
        expect(shellReports).toHaveLength(2);

        // a process that is not the worker's is refused by its Runtime API, Extensions API included
        const intruder = await fetch(`http://${first.body.runtimeApi}/2020-01-01/extension/register`, {
          method: "POST",
          headers: { "Lambda-Extension-Name": "intruder" },
          body: JSON.stringify({ events: ["INVOKE"] }),
        });
        expect(intruder.status).toBe(403);
        expect(((await intruder.json()) as { errorType: string }).errorType).toBe("AccessDeniedException");

        // a changed configuration retires the worker: SHUTDOWN (spindown) to both, which exit within the grace
        const updated = await apiFetch(
          `${agent.url}/2015-03-31/functions/${name("extended")}/configuration`,
          {
            method: "PUT",
            body: JSON.stringify({ Description: "retire the worker" }),
          },
        );
        expect(updated.status).toBe(200);
        for (const log of [nodeLog, join(out, "shell-ext.log")]) {
          const shutdown = await eventually(() =>
            eventsIn(log).find((event) => event.eventType === "SHUTDOWN")
          );
          expect(shutdown).toMatchObject({ shutdownReason: "spindown", deadlineMs: expect.any(Number) });
        }
      });

      test("a slow extension delays the invocation's end until it calls next again", async () => {
        const out = workerWritableDir("lambdalet-ext-");
        await deploy(
          agent.url,
          createBodyWith(name("slow"), "nodejs20.x", "index.handler", { "index.js": HANDLER }, {
            Layers: [arns.slow],
            Timeout: 10,
            Environment: { Variables: { OUT_DIR: out } },
            Edge: edge(out),
          }),
        );
        const invoked = await invokeTail<{ requestId: string }>(agent.url, name("slow"), "{}");
        expect(invoked.functionError, invoked.log).toBeNull();
        // read as soon as the answer came: the extension had finished with this invocation before it ended
        expect(lines(join(out, "order.log"))).toEqual([
          `handler ${invoked.body.requestId}`,
          `extension done ${invoked.body.requestId}`,
        ]);
      });
    });
  }

  describe("init failures", () => {
    const cases = [
      { layer: "crash", errorType: "Extension.Crash", message: "exit status 3" },
      { layer: "misnamed", errorType: "Extension.Crash", message: "exit status 22" },
      { layer: "initError", errorType: "Extension.InitError", message: "Extension.ConfigInvalid" },
    ];
    for (const { layer, errorType, message } of cases) {
      test(`an extension that fails to register (${layer}) fails init with ${errorType}`, async () => {
        const out = workerWritableDir("lambdalet-ext-");
        await deploy(
          agent.url,
          createBodyWith(`ext-${layer}`, "nodejs20.x", "index.handler", { "index.js": HANDLER }, {
            Layers: [arns[layer]],
            Environment: { Variables: { OUT_DIR: out } },
          }),
        );
        const invoked = await invokeTail<{ errorType: string; errorMessage: string }>(
          agent.url,
          `ext-${layer}`,
          "{}",
        );
        expect(invoked.functionError).toBe("Unhandled");
        expect(invoked.body.errorType).toBe(errorType);
        expect(invoked.body.errorMessage).toContain(message);
      });
    }
  });

  describe("AWS_LAMBDA_EXEC_WRAPPER", () => {
    test("a wrapper script in the zip wraps the Node.js runtime's command", async () => {
      await deploy(
        agent.url,
        createBodyWith("wrapped-node", "nodejs20.x", "index.handler", {
          "index.js": HANDLER,
          "wrapper.sh": executable(WRAPPER),
        }, { Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: "/var/task/wrapper.sh" } } }),
      );
      const invoked = await invokeTail<{ wrapped: string }>(agent.url, "wrapped-node", "{}");
      expect(invoked.functionError, invoked.log).toBeNull();
      expect(invoked.body.wrapped).toBe("by the wrapper, before node");
    });

    test("a wrapper script in a layer wraps a provided runtime's bootstrap", async () => {
      const layer = await publish("exec-wrapper", { "wrapper": executable(WRAPPER) });
      await deploy(
        agent.url,
        createBodyWith("wrapped-provided", "provided.al2023", "unused", {
          bootstrap: executable(PROVIDED_BOOTSTRAP),
        }, {
          Layers: [layer],
          Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: "/opt/wrapper" } },
        }),
      );
      const invoked = await invokeTail<{ wrapped: string }>(agent.url, "wrapped-provided", "{}");
      expect(invoked.functionError, invoked.log).toBeNull();
      expect(invoked.body.wrapped).toBe("by the wrapper, before bootstrap");
    });
  });
});
