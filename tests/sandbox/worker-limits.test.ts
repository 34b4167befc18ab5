/** @module Lambda's limits where they protect the device: tags, processes per worker, the size of /tmp. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCgroupLayout } from "../../lib/sandbox/mod.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import {
  createBody,
  createBodyWith,
  createFunction,
  deploy,
  HANDLERS,
  invokeTail,
} from "../helpers/functions.ts";
import { CANNOT_ISOLATE } from "../helpers/host-isolation.ts";
import { processesWithEnv } from "../helpers/worker-processes.ts";

/** Starts `sleep` until the kernel refuses a process; answers how many started and the error. */
const FORK_BOMB = `const { spawn } = require("node:child_process");
exports.handler = async () => {
  let started = 0;
  for (;;) {
    const error = await new Promise((resolve) => {
      try {
        const child = spawn("sleep", ["300"], { stdio: "ignore" });
        child.once("spawn", () => resolve(null));
        child.once("error", (e) => resolve(e.code));
      } catch (e) {
        resolve(e.code);
      }
    });
    if (error) return { started, error };
    if (++started > 5000) return { started, error: null };
  }
};
`;

/** Writes 1 MB blocks to /tmp/<event.name> until the write fails; answers how much went in and why it stopped. */
const FILLER = `const fs = require("node:fs");
exports.handler = async (event) => {
  const path = "/tmp/" + event.name;
  const block = Buffer.alloc(1 << 20, 1);
  const fd = fs.openSync(path, "w");
  let written = 0;
  let error = null;
  try {
    while (written < 1024 * (1 << 20)) written += fs.writeSync(fd, block);
  } catch (e) {
    error = e.code;
  }
  fs.closeSync(fd);
  fs.unlinkSync(path);
  let hostFile = null;
  try { hostFile = fs.readFileSync(event.hostFile, "utf8"); } catch (e) { hostFile = e.code; }
  return { writtenMb: written / (1 << 20), error, hostFile, pid: process.pid };
};
`;

/** The `pids.max` of process `pid`'s cgroup, read from the host. */
function pidsMaxOf(pid: number): string | null {
  const layout = parseCgroupLayout(
    readFileSync("/proc/self/mountinfo", "utf8"),
    readFileSync(`/proc/${pid}/cgroup`, "utf8"),
  );
  const dir = layout.v1.pids ?? (layout.v2?.controllers.includes("pids") ? layout.v2.dir : undefined);
  return dir === undefined ? null : readFileSync(join(dir, "pids.max"), "utf8").trim();
}

const HOST_HAS_PIDS = (() => {
  const layout = parseCgroupLayout(
    readFileSync("/proc/self/mountinfo", "utf8"),
    readFileSync("/proc/self/cgroup", "utf8"),
  );
  return Boolean(layout.v1.pids || layout.v2?.controllers.includes("pids"));
})();
const NO_PIDS = process.getuid?.() !== 0
  ? "the tests are not root, so workers have no cgroups"
  : HOST_HAS_PIDS
  ? null
  : "this host has no pids controller";
if (NO_PIDS) explainSkip("process caps of workers", NO_PIDS);
const NO_PRIVATE_TMP = process.getuid?.() !== 0
  ? "the tests are not root: NoContainer workers use the host's /tmp"
  : null;
if (NO_PRIVATE_TMP) explainSkip("the private /tmp of NoContainer workers", NO_PRIVATE_TMP);

describe("Lambda's limits on a device", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("CreateFunction takes 50 tags and refuses 51 with InvalidParameterValueException", async () => {
    const tags = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`key${i}`, `v${i}`]));
    const refused = await createFunction(
      agent.url,
      createBody("tagged", HANDLERS.counter, { Tags: tags(51) }),
    );
    expect(refused.status).toBe(400);
    expect(refused.headers.get("x-amzn-errortype")).toBe("InvalidParameterValueException");
    expect(((await refused.json()) as { message: string }).message).toContain(
      "Value at 'Tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
    const accepted = await createFunction(
      agent.url,
      createBody("tagged", HANDLERS.counter, { Tags: tags(50) }),
    );
    expect(accepted.status).toBe(201);
    const got = await apiFetch(`${agent.url}/2015-03-31/functions/tagged`);
    expect(Object.keys(((await got.json()) as { Tags: Record<string, string> }).Tags).length).toBe(50);
  });

  test.skipIf(NO_PIDS !== null)(
    "a NoContainer fork bomb stops at its Edge.maxProcesses, and the agent keeps serving",
    async () => {
      await deploy(
        agent.url,
        createBodyWith("bomb", "nodejs20.x", "index.handler", { "index.js": FORK_BOMB }, {
          Timeout: 60,
          Edge: { containerMode: "NoContainer", maxProcesses: 64 },
        }),
      );
      const { body } = await invokeTail<{ started: number; error: string | null }>(agent.url, "bomb");
      expect(body.error).toBe("EAGAIN");
      expect(body.started).toBeGreaterThan(0);
      expect(body.started).toBeLessThan(64); // the runtime's own threads count too
      await deploy(agent.url, createBody("after-bomb", HANDLERS.counter));
      expect((await invokeTail<{ count: number }>(agent.url, "after-bomb")).body.count).toBe(1);
    },
    60_000,
  );

  test.skipIf(NO_PIDS !== null)(
    "a NoContainer worker's cgroup has pids.max 1024 unless Edge.maxProcesses says otherwise",
    async () => {
      await deploy(
        agent.url,
        createBody("default-cap", HANDLERS.counter, { Edge: { containerMode: "NoContainer" } }),
      );
      const { body } = await invokeTail<{ pid: number }>(agent.url, "default-cap");
      expect(pidsMaxOf(body.pid)).toBe("1024");
      const config = await apiFetch(`${agent.url}/2015-03-31/functions/default-cap/configuration`);
      expect(((await config.json()) as { Edge: { maxProcesses: number } }).Edge.maxProcesses).toBe(1024);
    },
  );

  test.skipIf(NO_PIDS !== null || CANNOT_ISOLATE !== null)(
    "a GreengrassContainer worker's cgroup has its Edge.maxProcesses as pids.max",
    async () => {
      const token = crypto.randomUUID();
      await deploy(
        agent.url,
        createBody("boxed-cap", HANDLERS.counter, {
          MemorySize: 128,
          Environment: { Variables: { CAP_TOKEN: token } },
          Edge: { containerMode: "GreengrassContainer", maxProcesses: 200 },
        }),
      );
      expect((await invokeTail<{ pid: number }>(agent.url, "boxed-cap")).body.pid).toBe(1);
      // the runtime, pid 1 of its namespace (the `unshare` that waits for it stays in the agent's cgroup)
      const pid = processesWithEnv(`CAP_TOKEN=${token}`).find((candidate) =>
        /^NSpid:.*\t1$/m.test(readFileSync(`/proc/${candidate}/status`, "utf8"))
      );
      expect(pidsMaxOf(pid!)).toBe("200");
    },
  );

  test.skipIf(NO_PRIVATE_TMP !== null)(
    "a NoContainer worker writing past its EphemeralStorage in /tmp gets ENOSPC, and the host's /tmp is neither written nor seen",
    async () => {
      const name = `lambdalet-fill-${crypto.randomUUID()}`;
      const hostFile = `/tmp/lambdalet-host-${crypto.randomUUID()}`;
      writeFileSync(hostFile, "the host's");
      try {
        await deploy(
          agent.url,
          createBodyWith("filler", "nodejs20.x", "index.handler", { "index.js": FILLER }, {
            Timeout: 60,
            EphemeralStorage: { Size: 512 },
            Edge: { containerMode: "NoContainer" },
          }),
        );
        const { body } = await invokeTail<{ writtenMb: number; error: string; hostFile: string }>(
          agent.url,
          "filler",
          JSON.stringify({ name, hostFile }),
        );
        expect(body.error).toBe("ENOSPC");
        expect(body.writtenMb).toBeGreaterThan(500);
        expect(body.writtenMb).toBeLessThanOrEqual(512);
        expect(body.hostFile).toBe("ENOENT");
        expect(existsSync(`/tmp/${name}`)).toBe(false);
      } finally {
        rmSync(hostFile, { force: true });
      }
    },
    60_000,
  );
});
