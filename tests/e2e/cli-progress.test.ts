/** @module The CLI's progress lines: on a terminal for uploads and deployments, and nothing extra when piped. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildZip } from "../../lib/code/mod.ts";
import { type AgentProcess, SOURCE_COMMAND, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { runCli } from "../helpers/cli.ts";
import { HANDLERS } from "../helpers/functions.ts";
import { runProcess } from "../helpers/process.ts";
import { CLI_TEST_TIMEOUT_MS } from "../helpers/timeouts.ts";

/** Whether util-linux's `script` can give a command a pseudo-terminal here. */
const HAS_SCRIPT = Bun.which("script") !== null;

/** A zip of about 3 MB (random bytes do not compress) with a working handler. */
function largeZip(): Uint8Array {
  const filler = new Uint8Array(3 * 1024 * 1024);
  for (let offset = 0; offset < filler.length; offset += 65_536) {
    crypto.getRandomValues(filler.subarray(offset, offset + 65_536));
  }
  return buildZip({ "index.js": HANDLERS.counter, "data.bin": filler });
}

describe("CLI progress", () => {
  let agent: AgentProcess;
  let work: string;

  /** Runs `lambdalet ...args` under a pseudo-terminal: what it wrote to it (stdout and stderr), and its code. */
  async function onTerminal(...args: string[]) {
    const quoted = [...SOURCE_COMMAND, ...args, "--endpoint-url", agent.url]
      .map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
    const result = await runProcess(["script", "-qfec", quoted, "/dev/null"], {
      cwd: work,
      env: { ...process.env, NO_COLOR: "1", LAMBDALET_DATA_DIR: agent.dataDir },
    });
    return { code: result.code, text: result.stdout };
  }

  function piped(...args: string[]) {
    return runCli([...args, "--endpoint-url", agent.url], { cwd: work });
  }

  beforeAll(async () => {
    agent = await startAgentProcess();
    work = tempDir("lambdalet-progress-");
    writeFileSync(join(work, "large.zip"), largeZip());
    writeFileSync(
      join(work, "deployment.yaml"),
      [
        "functions:",
        "  - FunctionName: shown-pinned",
        "    Runtime: nodejs20.x",
        "    Handler: index.handler",
        "    Code: { ZipFilePath: large.zip }",
        "    Edge: { pinned: true }",
        "  - FunctionName: shown-on-demand",
        "    Runtime: nodejs20.x",
        "    Handler: index.handler",
        "    Code: { ZipFilePath: large.zip }",
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await agent?.stop();
  });

  const create = (name: string) => [
    "create-function",
    "--function-name",
    name,
    "--runtime",
    "nodejs20.x",
    "--handler",
    "index.handler",
    "--zip-file",
    "fileb://large.zip",
  ];

  test(
    "piped, create-function and update-function-code with a large zip print the result and nothing else",
    async () => {
      const created = await piped(...create("quiet"));
      expect(created.code).toBe(0);
      expect(created.stderr).toBe("");
      expect(JSON.parse(created.stdout).FunctionName).toBe("quiet");
      const updated = await piped(
        "update-function-code",
        "--function-name",
        "quiet",
        "--zip-file",
        "fileb://large.zip",
      );
      expect(updated.code).toBe(0);
      expect(updated.stderr).toBe("");
      expect(updated.stdout).not.toContain("\r");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  test.skipIf(!HAS_SCRIPT)("on a terminal, an upload shows the bytes sent, rewritten in place", async () => {
    const { code, text } = await onTerminal(...create("loud"));
    expect(code).toBe(0);
    // loopback takes the body at once: the first count (0%) and the last are what a fast link shows
    expect(text).toContain("\r\x1b[2KSending CreateFunction: ");
    expect(text).toMatch(/Sending CreateFunction: [\d.]+ (B|KB|MB) \/ 4\.\d MB \(\d+%\)/);
    expect(text).toContain("sent in");
    expect(text).toContain('"FunctionName": "loud"');
  }, CLI_TEST_TIMEOUT_MS);

  test("piped, deploy answers once with the final record", async () => {
    const result = await piped("deploy", "-f", "deployment.yaml");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toMatchObject({
      Status: "COMPLETED",
      Functions: { "shown-pinned": "STARTED", "shown-on-demand": "APPLIED" },
    });
  }, CLI_TEST_TIMEOUT_MS);

  test.skipIf(!HAS_SCRIPT)(
    "on a terminal, deploy shows each function written, verified and started",
    async () => {
      const { code, text } = await onTerminal("deploy", "-f", "deployment.yaml");
      expect(code).toBe(0);
      // each step is printed as the agent's record shows it when polled (CREATED/UPDATED only if caught)
      expect(text).toMatch(/Deploying [0-9a-f-]+: \d\/2 function\(s\) verified/);
      expect(text).toContain("  shown-pinned: STARTED\r\n");
      expect(text).toContain("  shown-on-demand: APPLIED\r\n");
      expect(text).toMatch(/Deployment [0-9a-f-]+: COMPLETED/);
      expect(text).toContain('"Status": "COMPLETED"');
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
