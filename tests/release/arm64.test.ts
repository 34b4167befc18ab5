/** @module The linux-arm64 binary passes the smoke suite under qemu-user: create and invoke every runtime, and a container. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { buildBinary } from "../../scripts/build.ts";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { createBodyWith, deploy, invokeTail } from "../helpers/functions.ts";

const QEMU = Bun.which("qemu-aarch64-static");
const PREFIX = "/usr/aarch64-linux-gnu";
const missing = !QEMU
  ? "qemu-aarch64-static is missing (Debian qemu-user-static)"
  : !existsSync(PREFIX)
  ? `${PREFIX} is missing (Debian libc6-arm64-cross)`
  : "";
if (missing) explainSkip("arm64 smoke test", missing);
const BINFMT = existsSync("/proc/sys/fs/binfmt_misc/qemu-aarch64");
if (!missing && !BINFMT) {
  explainSkip(
    "arm64 bun1.x smoke test",
    "no binfmt_misc entry for aarch64 (scripts/test.sh registers it as root)",
  );
}

describe.skipIf(Boolean(missing))("the linux-arm64 binary under qemu-user", () => {
  let agent: AgentProcess;
  let binary: string;

  beforeAll(async () => {
    binary = await buildBinary("arm64", tempDir("lambdalet-arm64-"));
    process.env.QEMU_LD_PREFIX = PREFIX;
    agent = await startAgentProcess({
      command: [QEMU!, "-L", PREFIX, binary],
      defaultContainerMode: "NoContainer",
    });
    const fn = (
      name: string,
      runtime: string,
      handlerName: string,
      files: Parameters<typeof createBodyWith>[3],
      extra = {},
    ) => deploy(agent.url, createBodyWith(name, runtime, handlerName, files, extra));
    await fn("node", "nodejs20.x", "index.handler", {
      "index.js": "exports.handler = async (e) => ({ node: process.arch, n: e.n });",
    });
    await fn("py", "python3.11", "app.handler", {
      "app.py":
        "import platform\ndef handler(e, c):\n    return {'python': platform.machine(), 'n': e['n']}\n",
    });
    await fn("sh", "provided.al2023", "x.y", {
      bootstrap: {
        content: `#!/bin/sh
while true; do
  H=$(mktemp); E=$(curl -sS -D "$H" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next")
  ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$H" | tr -d '[:space:]' | cut -d: -f2)
  curl -sS -d "{\\"provided\\":$E}" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$ID/response" >/dev/null
done
`,
        mode: 0o755,
      },
    });
    await fn("boxed", "nodejs20.x", "index.handler", {
      "index.js": "exports.handler = async () => ({ pid: process.pid, root: process.env.LAMBDA_TASK_ROOT });",
    }, {
      MemorySize: 128,
      Edge: { containerMode: "GreengrassContainer" },
    });
    if (BINFMT) {
      await fn("bunfn", "bun1.x", "h.handler", {
        "h.ts": "export const handler = async (e: { n: number }) => ({ bun: process.arch, n: e.n * 2 });",
      });
    }
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
  });

  test("--version names the arm64 target", async () => {
    const proc = Bun.spawn({ cmd: [QEMU!, "-L", PREFIX, binary, "--version"], stdout: "pipe" });
    expect(await new Response(proc.stdout).text()).toContain("bun-linux-arm64");
  });

  test("nodejs, python and provided functions answer", async () => {
    expect((await invokeTail(agent.url, "node", '{"n":1}')).body).toMatchObject({ n: 1 });
    expect((await invokeTail(agent.url, "py", '{"n":2}')).body).toMatchObject({ n: 2 });
    expect((await invokeTail(agent.url, "sh", '{"n":3}')).body).toEqual({ provided: { n: 3 } });
  }, 60_000);

  test("a GreengrassContainer function answers from its own namespaces", async () => {
    const { body } = await invokeTail<{ pid: number; root: string }>(agent.url, "boxed");
    if (process.getuid?.() === 0) expect(body).toEqual({ pid: 1, root: "/var/task" });
  }, 60_000);

  test.skipIf(!BINFMT)("a bun1.x function runs on the arm64 binary itself", async () => {
    expect((await invokeTail(agent.url, "bunfn", '{"n":21}')).body).toEqual({ bun: "arm64", n: 42 });
  }, 60_000);
});
