/** @module The runtime id picks the interpreter version: exact, nearest with a warning, refused when strict, mapped. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { runCli } from "../helpers/cli.ts";
import { createBodyWith, createFunction, deploy, invokeTail } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";

/** The `major.minor` (python) or major (node) version `program` on PATH runs, asked as the agent asks it. */
function hostVersion(program: string, args: string[]): string {
  const path = Bun.which(program);
  if (!path) throw new Error(`${program} is not on PATH`);
  return Bun.spawnSync({ cmd: [path, ...args] }).stdout.toString().trim();
}

const NODE = hostVersion("node", ["-e", "console.log(process.versions.node.split('.')[0])"]);
const PYTHON = hostVersion("python3", ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]);

/** Whether `program` is on PATH and runs (a pyenv shim of a version not selected does not). */
function runs(program: string): boolean {
  const path = Bun.which(program);
  return path !== null &&
    Bun.spawnSync({ cmd: [path, "--version"], stdout: "ignore", stderr: "ignore" }).success;
}

/** Runtime ids of `ids` whose version this host lacks: no program of their version runs either. */
function missingIds(ids: string[], have: string, programs: (version: string) => string[]): string[] {
  return ids.filter((id) => {
    const version = /(\d+(\.\d+)?)/.exec(id.replace(/^python/, ""))?.[1] ?? "";
    return version !== have && !programs(version).some(runs);
  });
}

const NODE_MATCH = `nodejs${NODE}.x`;
const [NODE_MAPPED = "", NODE_NEAR = ""] = missingIds(
  ["nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"],
  NODE,
  (version) => [`node${version}`, `nodejs${version}`],
);
const PYTHON_MATCH = `python${PYTHON}`;
const [PYTHON_NEAR = ""] = missingIds(
  ["python3.9", "python3.10", "python3.12", "python3.11", "python3.13"],
  PYTHON,
  (version) => [`python${version}`],
);

const NODE_CODE = { "index.js": "exports.handler = async () => process.versions.node;\n" };
const PYTHON_CODE = {
  "app.py": "import sys\n\ndef handler(event, context):\n    return '%d.%d' % sys.version_info[:2]\n",
};

interface ConfigurationView {
  State: string;
  StateReason?: string;
  EdgeRuntime: { Program: string; Version: string; Matches: boolean; Source: string };
}

async function configuration(url: string, name: string): Promise<ConfigurationView> {
  const response = await apiFetch(`${url}/2015-03-31/functions/${name}/configuration`);
  expect(response.status).toBe(200);
  return await response.json() as ConfigurationView;
}

/** A config file mapping `runtimes`, plus `extra` options, in a new folder. */
function configFile(dir: string, extra: Record<string, unknown>): string {
  const path = join(dir, "lambdalet.json");
  writeFileSync(path, JSON.stringify(extra));
  return path;
}

describe.skipIf(!NODE_MAPPED || !NODE_NEAR || !PYTHON_NEAR)("runtime versions on this host", () => {
  let agent: AgentProcess;
  let dir: string;
  let config: string;
  let wrapper: string;
  let marker: string;

  beforeAll(async () => {
    dir = tempDir();
    marker = join(dir, "wrapper-ran");
    wrapper = join(dir, "node-wrapper");
    writeFileSync(wrapper, `#!/bin/sh\necho ran >> ${marker}\nexec ${Bun.which("node")} "$@"\n`, {
      mode: 0o755,
    });
    config = configFile(dir, { runtimes: { [NODE_MAPPED]: wrapper } });
    agent = await startAgentProcess({ dataDir: join(dir, "data"), flags: ["--config", config] });
    await deploy(agent.url, createBodyWith("node-match", NODE_MATCH, "index.handler", NODE_CODE));
    await deploy(agent.url, createBodyWith("node-near", NODE_NEAR, "index.handler", NODE_CODE));
    await deploy(agent.url, createBodyWith("node-mapped", NODE_MAPPED, "index.handler", NODE_CODE));
    await deploy(agent.url, createBodyWith("py-match", PYTHON_MATCH, "app.handler", PYTHON_CODE));
    await deploy(agent.url, createBodyWith("py-near", PYTHON_NEAR, "app.handler", PYTHON_CODE));
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("a function whose runtime id matches the host's version runs on it with no warning", async () => {
    for (const [name, version] of [["node-match", NODE], ["py-match", PYTHON]] as const) {
      const invoked = await invokeTail<string>(agent.url, name);
      expect(invoked.functionError).toBeNull();
      expect(invoked.body.startsWith(version)).toBe(true);
      const view = await configuration(agent.url, name);
      expect(view.State).toBe("Active");
      expect(view.StateReason).toBeUndefined();
      expect(view.EdgeRuntime).toMatchObject({ Matches: true, Source: "version" });
    }
  });

  test("a runtime id the host lacks runs on the nearest, told in StateReason while State stays Active", async () => {
    for (
      const [name, runtime, version] of [["node-near", NODE_NEAR, NODE], ["py-near", PYTHON_NEAR, PYTHON]]
    ) {
      const invoked = await invokeTail<string>(agent.url, name!);
      expect(invoked.functionError).toBeNull();
      expect(invoked.body.startsWith(version!)).toBe(true);
      const view = await configuration(agent.url, name!);
      expect(view.State).toBe("Active");
      expect(view.StateReason).toContain(`${runtime} runs on`);
      expect(view.StateReason).toContain("the nearest it has");
      expect(view.StateReason).toContain('"runtimes"');
      expect(view.EdgeRuntime).toMatchObject({ Matches: false, Source: "nearest" });
    }
  });

  test("the agent's log warns once per family, naming the ids that run on another version", () => {
    const output = agent.output();
    const nodeLines = output.split("\n").filter((line) =>
      line.includes("lambdalet: Node.js runtimes without")
    );
    const pythonLines = output.split("\n").filter((line) =>
      line.includes("lambdalet: Python runtimes without")
    );
    expect(nodeLines).toHaveLength(1);
    expect(pythonLines).toHaveLength(1);
    expect(nodeLines[0]).toContain(NODE_NEAR);
    expect(nodeLines[0]).not.toContain(`${NODE_MATCH} on`);
    expect(nodeLines[0]).not.toContain(`${NODE_MAPPED} on`);
    expect(pythonLines[0]).toContain(PYTHON_NEAR);
  });

  test("an explicit map entry for a runtime id wins over the version lookup, with no warning", async () => {
    expect(existsSync(marker)).toBe(true);
    const view = await configuration(agent.url, "node-mapped");
    expect(view.StateReason).toBeUndefined();
    expect(view.EdgeRuntime).toMatchObject({ Program: wrapper, Source: "config", Matches: false });
    const invoked = await invokeTail<string>(agent.url, "node-mapped");
    expect(invoked.functionError).toBeNull();
    expect(invoked.body.startsWith(NODE)).toBe(true);
    // resolved once at start: invocations run the interpreter the wrapper execs, not the wrapper again
    expect(readFileSync(marker, "utf8").trim().split("\n")).toHaveLength(1);
  });

  test("doctor lists each runtime id with its interpreter, version and whether it matches", async () => {
    const result = await runCli([
      "doctor",
      "--config",
      config,
      "--data-dir",
      join(dir, "doctor"),
      "--port",
      "0",
    ]);
    expect(result.stdout).toMatch(
      new RegExp(`^ok +runtime ${NODE_MATCH}: \\S+ v${NODE}\\.\\S+ \\(node\\), matches`, "m"),
    );
    expect(result.stdout).toMatch(new RegExp(`^ok +runtime ${NODE_NEAR}: .*does NOT match .*nearest`, "m"));
    expect(result.stdout).toMatch(new RegExp(`^ok +runtime ${PYTHON_NEAR}: .*does NOT match .*nearest`, "m"));
    expect(result.stdout).toContain(`runtime ${NODE_MAPPED}: `);
    expect(result.stdout).toMatch(
      new RegExp(`runtime ${NODE_MAPPED}: .*\\(${wrapper}\\).*mapped in the agent config`),
    );
  });
});

describe.skipIf(!NODE_NEAR || !PYTHON_NEAR)("strictRuntimeVersions", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    const dir = tempDir();
    const config = configFile(dir, { strictRuntimeVersions: true });
    agent = await startAgentProcess({ dataDir: join(dir, "data"), flags: ["--config", config] });
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("CreateFunction refuses a runtime id the host cannot run exactly, naming what it has and the fix", async () => {
    for (
      const [runtime, code, handler] of [[NODE_NEAR, NODE_CODE, "index.handler"], [
        PYTHON_NEAR,
        PYTHON_CODE,
        "app.handler",
      ]] as const
    ) {
      const response = await createFunction(
        agent.url,
        createBodyWith(`strict-${runtime.replace(".", "-")}`, runtime, handler, code),
      );
      const body = await expectLambdaError(response, 400, "InvalidParameterValueException");
      expect(body.message).toContain(runtime);
      expect(body.message).toContain("strictRuntimeVersions");
      expect(body.message).toContain('"runtimes"');
      expect(body.message).toContain(runtime === NODE_NEAR ? `Node.js v${NODE}.` : `Python ${PYTHON}.`);
    }
  });

  test("CreateFunction accepts the matching runtime id, and UpdateFunctionConfiguration refuses a switch to a missing one", async () => {
    await deploy(agent.url, createBodyWith("strict-match", NODE_MATCH, "index.handler", NODE_CODE));
    const invoked = await invokeTail<string>(agent.url, "strict-match");
    expect(invoked.body.startsWith(NODE)).toBe(true);
    const response = await apiFetch(`${agent.url}/2015-03-31/functions/strict-match/configuration`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Runtime: NODE_NEAR }),
    });
    const body = await expectLambdaError(response, 400, "InvalidParameterValueException");
    expect(body.message).toContain("strictRuntimeVersions");
  });
});
