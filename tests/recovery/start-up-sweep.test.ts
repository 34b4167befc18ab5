/** @module At start, the agent removes what a crashed run left in its data dir and kills what it left running. */
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCgroupLayout } from "../../lib/sandbox/mod.ts";
import { type AgentProcess, SOURCE_COMMAND, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import {
  createBody,
  createBodyWith,
  createFunction,
  deploy,
  eventually,
  HANDLERS,
  invokeTail,
} from "../helpers/functions.ts";
import { runProcess } from "../helpers/process.ts";
import { isRunning, killAll } from "../helpers/worker-processes.ts";

/** Starts a child that leaves the worker's process group and session, and answers with its pid. */
const LEAVER = `const { spawn } = require("node:child_process");
exports.handler = async () => {
  const child = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
  child.unref();
  return { pid: child.pid };
};
`;

const NOT_ROOT = process.getuid?.() === 0 ? null : "the tests are not root, so workers have no cgroups";
if (NOT_ROOT) explainSkip("the start-up sweep of leftover workers", NOT_ROOT);

/** Leftovers of a crashed run that the agent must not meet: `code/<sha>.tmp-<pid>-<uuid>` read-only, the credentials' temp. */
function leaveHalfWritten(dataDir: string): string[] {
  const extracting = join(dataDir, "code", `${"0".repeat(64)}.tmp-99999-${crypto.randomUUID()}`);
  mkdirSync(join(extracting, "lib", "deep"), { recursive: true });
  for (const name of ["lib/deep/a.js", "lib/b.js", "index.js"]) {
    writeFileSync(join(extracting, name), "x");
    chmodSync(join(extracting, name), 0o444);
  }
  for (const dir of ["lib/deep", "lib", ""]) chmodSync(join(extracting, dir), 0o555);
  const credentials = join(dataDir, "credentials.tmp-99999");
  writeFileSync(credentials, "[default]\n");
  return [extracting, credentials];
}

/** The worker cgroup folders of process `pid`, from /proc. */
function cgroupDirsOf(pid: number): string[] {
  const layout = parseCgroupLayout(
    readFileSync("/proc/self/mountinfo", "utf8"),
    readFileSync(`/proc/${pid}/cgroup`, "utf8"),
  );
  return [...(layout.v2 ? [layout.v2.dir] : []), ...Object.values(layout.v1)].filter((dir) =>
    dir.includes("/lambdalet/")
  );
}

describe("the agent's start-up sweep", () => {
  const agents: AgentProcess[] = [];
  const start = async (dataDir: string) => {
    const agent = await startAgentProcess({ dataDir });
    agents.push(agent);
    return agent;
  };
  const strays: number[] = [];

  afterEach(async () => {
    killAll(strays.splice(0));
    for (const agent of agents.splice(0)) {
      if (agent.proc.exitCode === null && agent.proc.signalCode === null) await agent.stop();
    }
  });

  test("half-written files a crashed run left (a read-only code/*.tmp-* tree, credentials.tmp-*) are gone after a start", async () => {
    const dataDir = join(tempDir(), "data");
    await (await start(dataDir)).stop();
    const leftovers = leaveHalfWritten(dataDir);
    const agent = await start(dataDir);
    for (const path of leftovers) expect(existsSync(path)).toBe(false);
    expect(agent.output()).toContain("removed what an interrupted run left half written");
    expect(existsSync(join(dataDir, "credentials"))).toBe(true);
  });

  test(
    "a kill -9 in the middle of extracting a big zip leaves a code/*.tmp-* folder, and the next start removes it",
    async () => {
      const dataDir = join(tempDir(), "data");
      const agent = await start(dataDir);
      const files = Object.fromEntries(
        Array.from({ length: 40_000 }, (_, i) => [`f/${i % 100}/${i}.txt`, "x"]),
      );
      const body = createBodyWith("big", "nodejs20.x", "index.handler", { "index.js": "", ...files });
      let answered = false;
      const creating = createFunction(agent.url, body).catch(() => null).finally(() => answered = true);
      const code = join(dataDir, "code");
      const seen = await eventually(() => {
        const temp = readdirSync(code).find((name) => name.includes(".tmp-"));
        if (temp) agent.proc.kill("SIGKILL");
        return temp ?? (answered ? "" : undefined); // answered first: the extraction was too quick to catch
      }, 30_000);
      await creating;
      await agent.proc.exited;
      if (!seen) {
        explainSkip("the kill -9 during extraction", "the extraction ended before the test saw its folder");
        return;
      }
      expect(existsSync(join(code, seen))).toBe(true);
      await start(dataDir);
      expect(readdirSync(code).filter((name) => name.includes(".tmp-"))).toEqual([]);
    },
    60_000,
  );

  test.skipIf(NOT_ROOT !== null)(
    "a process a worker started and left behind is killed through its cgroup at the next start, and the cgroup removed",
    async () => {
      const dataDir = join(tempDir(), "data");
      let agent = await start(dataDir);
      await deploy(
        agent.url,
        createBodyWith("leaver", "nodejs20.x", "index.handler", { "index.js": LEAVER }),
      );
      const { body } = await invokeTail<{ pid: number }>(agent.url, "leaver");
      strays.push(body.pid);
      const cgroups = cgroupDirsOf(body.pid);
      expect(cgroups.length).toBeGreaterThan(0);
      agent.proc.kill("SIGKILL");
      await agent.proc.exited;
      // the parent-death signal takes the runtime; what it started and sent away is the sweep's
      expect(isRunning(body.pid)).toBe(true);
      agent = await start(dataDir);
      expect(isRunning(body.pid)).toBe(false);
      for (const dir of cgroups) expect(existsSync(dir)).toBe(false);
      expect(agent.output()).toMatch(/killed [1-9]\d* process\(es\) and removed [1-9]\d* worker cgroup\(s\)/);
    },
    30_000,
  );

  test("a second agent on the same data dir is refused while the first runs, and the first keeps its workers", async () => {
    const dataDir = join(tempDir(), "data");
    const agent = await start(dataDir);
    await deploy(agent.url, createBody("counter", HANDLERS.counter));
    const first = await invokeTail<{ count: number; pid: number }>(agent.url, "counter");
    const second = await runProcess([...SOURCE_COMMAND, "serve", "--port", "0", "--data-dir", dataDir]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`another lambdalet (pid ${agent.proc.pid}) uses the data dir ${dataDir}`);
    const again = await invokeTail<{ count: number; pid: number }>(agent.url, "counter");
    expect(again.body).toEqual({ count: first.body.count + 1, pid: first.body.pid });
  });
});
