/** @module The agent config file: runtime ids mapped to interpreters, and clear refusals of bad files. */
import { apiFetch } from "../helpers/api-client.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { runCli } from "../helpers/cli.ts";
import { createBodyWith, deploy, invokeTail } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";

if (!existsSync("/usr/bin/python3")) explainSkip("interpreter mapping test", "/usr/bin/python3 is missing");

describe("the agent config file", () => {
  let agent: AgentProcess;
  // Debian's python3, not the first on PATH (which may be a pyenv shim): the mapping must pick exactly it
  const python = "/usr/bin/python3";

  beforeAll(async () => {
    const dir = tempDir();
    const config = join(dir, "lambdalet.json");
    writeFileSync(
      config,
      JSON.stringify({ runtimes: { "python3.12": "no-such-python", "python3.9": python } }),
    );
    agent = await startAgentProcess({ dataDir: join(dir, "data"), flags: ["--config", config] });
    const code = { "app.py": "import sys\n\ndef handler(event, context):\n    return sys.executable\n" };
    await deploy(agent.url, createBodyWith("mapped", "python3.9", "app.handler", code));
    await deploy(agent.url, createBodyWith("unmapped", "python3.12", "app.handler", code));
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test.skipIf(!existsSync(python))(
    "a runtime id mapped to an interpreter path runs on that interpreter",
    async () => {
      const { body } = await invokeTail<string>(agent.url, "mapped");
      expect(realpathSync(body)).toBe(realpathSync(python));
    },
  );

  test("a runtime whose interpreter cannot run answers 502 InvalidRuntimeException naming it and the fix", async () => {
    const response = await apiFetch(`${agent.url}/2015-03-31/functions/unmapped/invocations`, {
      method: "POST",
    });
    const body = await expectLambdaError(response, 502, "InvalidRuntimeException");
    expect(body.message).toContain("'no-such-python'");
    expect(body.message).toContain('"runtimes"');
  });

  test("serve refuses a config file that is not JSON, or names an unknown runtime, with exit code 252", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bad.json"), "{ port: 1 ");
    writeFileSync(join(dir, "unknown.json"), JSON.stringify({ runtimes: { "cobol85": "cobc" } }));
    const notJson = await runCli(["serve", "--config", join(dir, "bad.json"), "--data-dir", join(dir, "d")]);
    expect(notJson.code).toBe(252);
    expect(notJson.stderr).toContain("Cannot parse the config file");
    const unknown = await runCli([
      "serve",
      "--config",
      join(dir, "unknown.json"),
      "--data-dir",
      join(dir, "d"),
    ]);
    expect(unknown.code).toBe(252);
    expect(unknown.stderr).toContain("'runtimes.cobol85' must be a known runtime id");
  });
});

describe("upgrades", () => {
  test("serve refuses a database written by a newer lambdalet, with a clear message and exit 1", async () => {
    const { Database } = await import("bun:sqlite");
    const { MIGRATIONS } = await import("../../lib/store/migrations.ts");
    const { mkdirSync } = await import("node:fs");
    const dir = join(tempDir(), "data");
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, "lambdalet.db"), { create: true });
    db.run(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    const result = await runCli(["serve", "--data-dir", dir, "--port", "0"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is newer than this lambdalet knows");
  });
});
