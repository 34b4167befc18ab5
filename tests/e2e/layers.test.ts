/** @module Layers used by real workers: Node.js modules, Python packages, tools on PATH, in both isolation modes. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ZipEntry } from "../../lib/code/mod.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { createBodyWith, deploy, invokeTail, publishLayer } from "../helpers/functions.ts";
import { CANNOT_ISOLATE, cannotIsolate } from "../helpers/host-isolation.ts";

const PYTHON_RUNTIME = "python3.11";

const NODE_LAYER: Record<string, ZipEntry> = {
  "nodejs/node_modules/greeting/index.js": "module.exports = 'hello from the node layer';",
  "nodejs/node20/node_modules/versioned/index.js": "module.exports = 'node20 folder';",
  "bin/layer-tool": { content: "#!/bin/sh\necho tool from the layer\n", mode: 0o755 },
};

const PYTHON_LAYER: Record<string, ZipEntry> = {
  "python/greeting.py": "GREETING = 'hello from the python layer'\n",
  [`python/lib/${PYTHON_RUNTIME}/site-packages/sitepkg/__init__.py`]: "WHERE = 'site-packages'\n",
};

const OVERRIDE_FIRST: Record<string, ZipEntry> = {
  "nodejs/node_modules/which/index.js": "module.exports = 'first';",
  "nodejs/node_modules/only-first/index.js": "module.exports = 'kept';",
};
const OVERRIDE_SECOND: Record<string, ZipEntry> = {
  "nodejs/node_modules/which/index.js": "module.exports = 'second';",
};

const NODE_HANDLER = `const { execSync } = require("node:child_process");
const fs = require("node:fs");
exports.handler = async () => ({
  greeting: require("greeting"),
  versioned: require("versioned"),
  tool: execSync("layer-tool").toString().trim(),
  nodePath: process.env.NODE_PATH,
  optSeen: fs.existsSync("/opt/nodejs"),
});`;

const PYTHON_HANDLER = `import os, greeting, sitepkg

def handler(event, context):
    return {"greeting": greeting.GREETING, "where": sitepkg.WHERE, "pythonPath": os.environ.get("PYTHONPATH")}
`;

const OVERRIDE_HANDLER = `exports.handler = async () => [require("which"), require("only-first")];`;

describe("layers in workers", () => {
  let agent: AgentProcess;
  const arns: Record<string, string> = {};

  const publish = (name: string, files: Record<string, ZipEntry>) => publishLayer(agent.url, name, files);

  beforeAll(async () => {
    agent = await startAgentProcess();
    arns.node = await publish("node-modules", NODE_LAYER);
    arns.python = await publish("python-packages", PYTHON_LAYER);
    arns.first = await publish("override-first", OVERRIDE_FIRST);
    arns.second = await publish("override-second", OVERRIDE_SECOND);
  });

  afterAll(async () => {
    await agent?.stop();
  });

  const modes = [
    { mode: "NoContainer", skip: false },
    { mode: "GreengrassContainer", skip: CANNOT_ISOLATE !== null },
  ] as const;
  cannotIsolate("layers in GreengrassContainer workers");

  for (const { mode, skip } of modes) {
    describe.skipIf(skip)(`in ${mode} mode`, () => {
      const edge = {
        containerMode: mode,
        ...(mode === "GreengrassContainer" ? { containerParams: { memorySizeInKB: 262144 } } : {}),
      };
      const name = (base: string) => `${base}-${mode === "NoContainer" ? "nc" : "gc"}`;

      test("a Node.js function finds the layer's modules, its node20 folder and its bin/ tool", async () => {
        await deploy(
          agent.url,
          createBodyWith(name("node-layered"), "nodejs20.x", "index.handler", { "index.js": NODE_HANDLER }, {
            Layers: [arns.node],
            Edge: edge,
          }),
        );
        const invoked = await invokeTail<Record<string, unknown>>(agent.url, name("node-layered"), "{}");
        expect(invoked.functionError, invoked.log).toBeNull();
        expect(invoked.body).toMatchObject({
          greeting: "hello from the node layer",
          versioned: "node20 folder",
          tool: "tool from the layer",
        });
        const nodePath = String(invoked.body.nodePath).split(":");
        if (mode === "GreengrassContainer") {
          expect(invoked.body.optSeen).toBe(true);
          expect(nodePath.slice(0, 2)).toEqual([
            "/opt/nodejs/node20/node_modules",
            "/opt/nodejs/node_modules",
          ]);
        } else {
          // NoContainer workers cannot see /opt: the layer's real folder in the data dir stands in for it
          expect(nodePath[0]).toStartWith(agent.dataDir);
          expect(nodePath[0]).toEndWith("/nodejs/node20/node_modules");
        }
      });

      test("a Python function imports the layer's packages from python/ and its site-packages", async () => {
        await deploy(
          agent.url,
          createBodyWith(name("py-layered"), PYTHON_RUNTIME, "app.handler", { "app.py": PYTHON_HANDLER }, {
            Layers: [arns.python],
            Edge: edge,
          }),
        );
        const invoked = await invokeTail<Record<string, string>>(agent.url, name("py-layered"), "{}");
        expect(invoked.functionError, invoked.log).toBeNull();
        expect(invoked.body).toMatchObject({
          greeting: "hello from the python layer",
          where: "site-packages",
        });
        const first = invoked.body.pythonPath!.split(":")[0]!;
        expect(first).toEndWith(`/python/lib/${PYTHON_RUNTIME}/site-packages`);
        if (mode === "GreengrassContainer") expect(first).toStartWith("/opt/");
        else expect(first).toStartWith(agent.dataDir);
      });

      test("a later layer overrides an earlier one's files; the rest of the earlier one stays", async () => {
        await deploy(
          agent.url,
          createBodyWith(name("override"), "nodejs20.x", "index.handler", { "index.js": OVERRIDE_HANDLER }, {
            Layers: [arns.first, arns.second],
            Edge: edge,
          }),
        );
        const invoked = await invokeTail<string[]>(agent.url, name("override"), "{}");
        expect(invoked.functionError, invoked.log).toBeNull();
        expect(invoked.body).toEqual(["second", "kept"]);

        const reversed = await apiFetch(
          `${agent.url}/2015-03-31/functions/${name("override")}/configuration`,
          {
            method: "PUT",
            body: JSON.stringify({ Layers: [arns.second, arns.first] }),
          },
        );
        expect(reversed.status).toBe(200);
        const again = await invokeTail<string[]>(agent.url, name("override"), "{}");
        expect(again.body).toEqual(["first", "kept"]);
      });
    });
  }
});
