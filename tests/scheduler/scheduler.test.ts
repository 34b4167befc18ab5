/** @module The scheduler with real workers: concurrency, bounded queues, idle reaping, pinned lifecycles, deadlines. */
import { apiFetch } from "../helpers/api-client.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";
import { runCli } from "../helpers/cli.ts";
import { processIsAlive } from "../helpers/process.ts";
import { createBodyWith, deploy, eventually, invoke, invokeTail, readJson } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";

const SLEEPER = `exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 300));
  return { pid: process.pid };
};`;

interface EdgeStatus {
  lifecycle: string;
  state: string;
  workers: { starting: number; idle: number; busy: number };
  restarts: number;
  lastError?: string;
  invocations: number;
  queueDepth: number;
  coldStarts: number;
}

describe("scheduler", () => {
  let agent: AgentProcess;
  const work = workerWritableDir("lambdalet-scheduler-");
  const node = (name: string, source: string, extra: Record<string, unknown> = {}) =>
    deploy(agent.url, createBodyWith(name, "nodejs20.x", "index.handler", { "index.js": source }, extra));
  const edgeStatus = async (name: string) =>
    (await readJson<{ Configuration: { EdgeStatus?: EdgeStatus } }>(
      await apiFetch(`${agent.url}/2015-03-31/functions/${name}`),
    )).Configuration.EdgeStatus;

  beforeAll(async () => {
    agent = await startAgentProcess();
  });

  afterAll(async () => {
    await agent?.stop();
  });

  describe("on-demand", () => {
    test("N parallel slow invocations run on N workers at once, in about one handler duration", async () => {
      await node("parallel", SLEEPER);
      const started = performance.now();
      const results = await Promise.all(
        Array.from(
          { length: 6 },
          () => invoke(agent.url, "parallel", '{"ms":1500}').then((r) => readJson<{ pid: number }>(r)),
        ),
      );
      const elapsed = performance.now() - started;
      expect(new Set(results.map((result) => result.pid)).size).toBe(6);
      expect(elapsed).toBeLessThan(6 * 1500 / 2);
      const status = await edgeStatus("parallel");
      expect(status).toMatchObject({
        lifecycle: "on-demand",
        workers: { idle: 6, busy: 0 },
        invocations: 6,
        coldStarts: 6,
      });
    });

    test("a burst of quick invocations queues for a few warm workers instead of a cold start each", async () => {
      await node("quick", SLEEPER, { Edge: { maxInstancesCount: 48 } });
      const results = await Promise.all(
        Array.from(
          { length: 48 },
          () => invoke(agent.url, "quick", '{"ms":1}').then((r) => readJson<{ pid: number }>(r)),
        ),
      );
      const workers = new Set(results.map((result) => result.pid)).size;
      // a new worker only when it would serve sooner than a warm one: at a few ms each, the queue drains first
      expect(workers).toBeLessThan(48 / 2);
      expect(await edgeStatus("quick")).toMatchObject({ invocations: 48, coldStarts: workers });
    });

    test("past maxInstancesCount invocations queue, and past maxQueueSize the caller gets 429", async () => {
      await node("capped", SLEEPER, { Edge: { maxInstancesCount: 2, maxQueueSize: 3 } });
      const five = await Promise.all(
        Array.from({ length: 5 }, () => invoke(agent.url, "capped", '{"ms":300}')),
      );
      expect(five.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const pids = await Promise.all(five.map((r) => readJson<{ pid: number }>(r)));
      expect(new Set(pids.map((p) => p.pid)).size).toBe(2);
      const six = await Promise.all(
        Array.from({ length: 6 }, () => invoke(agent.url, "capped", '{"ms":300}')),
      );
      const throttled = six.filter((r) => r.status === 429);
      expect(throttled.length).toBe(1);
      const body = await expectLambdaError(throttled[0]!, 429, "TooManyRequestsException");
      expect(body.Reason).toBe("ConcurrentInvocationLimitExceeded");
      expect(throttled[0]!.headers.get("retry-after")).toBe("1");
    });

    test("a worker idle for maxIdleTimeInSeconds is stopped", async () => {
      await node("reaped", SLEEPER, { Edge: { maxIdleTimeInSeconds: 1 } });
      const { pid } = await readJson<{ pid: number }>(await invoke(agent.url, "reaped", '{"ms":1}'));
      expect(processIsAlive(pid)).toBe(true);
      await eventually(() => (processIsAlive(pid) ? undefined : true), 4000);
      expect((await edgeStatus("reaped"))?.workers).toEqual({ starting: 0, idle: 0, busy: 0 });
    });

    test("changing $LATEST retires its warm worker; the next invocation runs the new configuration", async () => {
      await node(
        "changing",
        "exports.handler = async () => ({ pid: process.pid, color: process.env.COLOR ?? null });",
      );
      const before = await readJson<{ pid: number; color: string | null }>(
        await invoke(agent.url, "changing"),
      );
      const update = await apiFetch(`${agent.url}/2015-03-31/functions/changing/configuration`, {
        method: "PUT",
        body: JSON.stringify({ Environment: { Variables: { COLOR: "green" } } }),
      });
      expect(update.status).toBe(200);
      const after = await readJson<{ pid: number; color: string | null }>(
        await invoke(agent.url, "changing"),
      );
      expect(after.color).toBe("green");
      expect(after.pid).not.toBe(before.pid);
      await eventually(() => (processIsAlive(before.pid) ? undefined : true), 3000);
    });
  });

  describe("deadlines", () => {
    test("past its timeout an invocation is Sandbox.Timedout, its children are killed, and the next one works", async () => {
      const pidFile = join(work, "child.pid");
      await node(
        "slow",
        `const { spawn } = require("node:child_process");
const fs = require("node:fs");
exports.handler = async (event) => {
  if (!event.hang) return { pid: process.pid };
  const child = spawn("sleep", ["300"], { stdio: "ignore" });
  fs.writeFileSync(event.pidFile, String(child.pid));
  await new Promise(() => {});
};`,
        { Timeout: 1 },
      );
      const started = performance.now();
      const timedOut = await invokeTail<{ errorType: string; errorMessage: string }>(
        agent.url,
        "slow",
        JSON.stringify({ hang: true, pidFile }),
      );
      expect(timedOut.status).toBe(200);
      expect(timedOut.functionError).toBe("Unhandled");
      expect(timedOut.body.errorType).toBe("Sandbox.Timedout");
      expect(timedOut.body.errorMessage).toMatch(
        /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/,
      );
      expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
      const child = Number(readFileSync(pidFile, "utf8"));
      await eventually(() => (processIsAlive(child) ? undefined : true), 3000);
      expect((await invokeTail<{ pid: number }>(agent.url, "slow", "{}")).status).toBe(200);
    });

    test("a worker that never asks for work within statusTimeoutInSeconds fails the invocation", async () => {
      await deploy(
        agent.url,
        createBodyWith("mute", "provided", "x.y", {
          bootstrap: { content: "#!/bin/sh\nexec sleep 300\n", mode: 0o755 },
        }, {
          Edge: { statusTimeoutInSeconds: 1 },
        }),
      );
      const result = await invokeTail<{ errorType: string; errorMessage: string }>(agent.url, "mute");
      expect(result.functionError).toBe("Unhandled");
      expect(result.body.errorMessage).toContain("did not ask for an invocation within 1 seconds");
    });
  });

  describe("pinned", () => {
    const initFile = join(work, "pinned-init");

    test("a pinned function starts its worker when deployed, before any invocation", async () => {
      await node(
        "pinned",
        `const fs = require("node:fs");
fs.appendFileSync(${JSON.stringify(initFile)}, process.pid + "\\n");
let count = 0;
const seen = [];
exports.handler = async (event) => {
  if (event.crash) process.exit(9);
  if (event.hang) await new Promise(() => setInterval(() => {}, 1000));
  count++;
  if (event.seq !== undefined) {
    seen.push(event.seq);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { count, pid: process.pid, seen };
};`,
        { Timeout: 1, Edge: { pinned: true } },
      );
      const firstLine = await eventually(
        () => (existsSync(initFile) ? readFileSync(initFile, "utf8") : undefined),
      );
      expect(Number(firstLine.trim())).toBeGreaterThan(0);
      // the module has loaded; the worker is ready once it asks for its first invocation, still with none run
      for (let i = 0; i < 100 && (await edgeStatus("pinned"))?.state !== "ready"; i++) await Bun.sleep(20);
      expect(await edgeStatus("pinned")).toMatchObject({
        lifecycle: "pinned",
        state: "ready",
        invocations: 0,
      });
    });

    test("state is kept across 100 invocations on the one worker", async () => {
      let last = { count: 0, pid: 0 };
      for (let i = 0; i < 100; i++) {
        last = await readJson<{ count: number; pid: number }>(await invoke(agent.url, "pinned"));
      }
      expect(last.count).toBe(100);
      expect(readFileSync(initFile, "utf8").trim().split("\n")).toEqual([String(last.pid)]);
    });

    test("concurrent callers are served one at a time, in arrival order", async () => {
      const before = (await edgeStatus("pinned"))!.invocations;
      const calls: Promise<Response>[] = [];
      for (let seq = 0; seq < 12; seq++) {
        calls.push(invoke(agent.url, "pinned", JSON.stringify({ seq })));
        // the next caller arrives once this one is in (running or queued), however busy the machine is
        const status = await eventually(async () => {
          const now = await edgeStatus("pinned");
          return now && now.invocations + now.workers.busy + now.queueDepth > seq + before ? now : undefined;
        });
        expect(status.state).toBe("ready");
      }
      const results = await Promise.all(
        calls.map(async (call) => await readJson<{ seen: number[] }>(await call)),
      );
      expect(results[11]!.seen).toEqual(Array.from({ length: 12 }, (_, i) => i));
    });

    test("after a crash the function shows an error state, restarts with backoff, and serves again", async () => {
      const crashed = await invokeTail<{ errorType: string }>(agent.url, "pinned", '{"crash":true}');
      expect(crashed.body.errorType).toBe("Runtime.ExitError");
      const status = await edgeStatus("pinned");
      expect(status?.state).toBe("error");
      expect(status?.lastError).toContain("Runtime.ExitError");
      const listed = await readJson<{ Functions: { FunctionName: string; EdgeStatus?: EdgeStatus }[] }>(
        await apiFetch(`${agent.url}/2015-03-31/functions`),
      );
      expect(listed.Functions.find((fn) => fn.FunctionName === "pinned")?.EdgeStatus?.state).toBe("error");
      const next = await readJson<{ count: number }>(await invoke(agent.url, "pinned"));
      expect(next.count).toBe(1);
      expect(readFileSync(initFile, "utf8").trim().split("\n").length).toBe(2);
      expect(await edgeStatus("pinned")).toMatchObject({ state: "ready", restarts: 1 });
    });

    test("after a timeout the worker is replaced and queued invocations proceed", async () => {
      const hung = invokeTail<{ errorType: string }>(agent.url, "pinned", '{"hang":true}');
      await eventually(async () => ((await edgeStatus("pinned"))?.workers.busy === 1 ? true : undefined));
      const queued = invoke(agent.url, "pinned");
      expect((await hung).body.errorType).toBe("Sandbox.Timedout");
      const after = await readJson<{ count: number }>(await queued);
      expect(after.count).toBe(1);
      expect(readFileSync(initFile, "utf8").trim().split("\n").length).toBe(3);
    });
  });

  describe("reserved concurrency", () => {
    test("0 throttles every invocation; 1 allows one at a time; removing it lifts the cap", async () => {
      await node("reserved", SLEEPER);
      const put = (n: number) =>
        apiFetch(`${agent.url}/2017-10-31/functions/reserved/concurrency`, {
          method: "PUT",
          body: JSON.stringify({ ReservedConcurrentExecutions: n }),
        });
      expect(await (await put(0)).json()).toEqual({ ReservedConcurrentExecutions: 0 });
      const body = await expectLambdaError(
        await invoke(agent.url, "reserved", '{"ms":1}'),
        429,
        "TooManyRequestsException",
      );
      expect(body.Reason).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
      await put(1);
      const two = await Promise.all([
        invoke(agent.url, "reserved", '{"ms":300}'),
        invoke(agent.url, "reserved", '{"ms":300}'),
      ]);
      expect(two.map((r) => r.status).sort()).toEqual([200, 429]);
      const got = await readJson<{ Concurrency: unknown }>(
        await apiFetch(`${agent.url}/2015-03-31/functions/reserved`),
      );
      expect(got.Concurrency).toEqual({ ReservedConcurrentExecutions: 1 });
      expect(
        (await apiFetch(`${agent.url}/2017-10-31/functions/reserved/concurrency`, { method: "DELETE" }))
          .status,
      ).toBe(204);
      expect(await (await apiFetch(`${agent.url}/2019-09-30/functions/reserved/concurrency`)).json()).toEqual(
        {},
      );
      const free = await Promise.all([
        invoke(agent.url, "reserved", '{"ms":100}'),
        invoke(agent.url, "reserved", '{"ms":100}'),
      ]);
      expect(free.map((r) => r.status)).toEqual([200, 200]);
      await expectLambdaError(
        await apiFetch(`${agent.url}/2017-10-31/functions/reserved/concurrency`, {
          method: "PUT",
          body: JSON.stringify({ ReservedConcurrentExecutions: -1 }),
        }),
        400,
        "InvalidParameterValueException",
      );
    });
  });

  test("a pinned function refusing callers past maxQueueSize does not use up its reserved concurrency", async () => {
    await node("pinned-small", SLEEPER, { Edge: { pinned: true, maxQueueSize: 1 } });
    await apiFetch(`${agent.url}/2017-10-31/functions/pinned-small/concurrency`, {
      method: "PUT",
      body: JSON.stringify({ ReservedConcurrentExecutions: 3 }),
    });
    for (let round = 0; round < 3; round++) {
      const burst = await Promise.all(
        Array.from({ length: 4 }, () => invoke(agent.url, "pinned-small", '{"ms":100}')),
      );
      expect(burst.some((response) => response.status === 429)).toBe(true);
    }
    // one running and one queued: within the pool's limits, and within 3 unless refused callers were still counted
    const later = await Promise.all([
      invoke(agent.url, "pinned-small", '{"ms":50}'),
      invoke(agent.url, "pinned-small", '{"ms":50}'),
    ]);
    expect(later.map((response) => response.status)).toEqual([200, 200]);
  });

  test("lambdalet status lists each version's lifecycle, workers, queue, invocations, errors and cold starts", async () => {
    const result = await runCli(["status", "--endpoint-url", agent.url]);
    expect(result.code).toBe(0);
    const { functions } = JSON.parse(result.stdout) as {
      functions: (EdgeStatus & { functionName: string })[];
    };
    const pinned = functions.find((fn) => fn.functionName === "pinned");
    expect(pinned).toMatchObject({ lifecycle: "pinned", state: "ready", restarts: 2 });
    expect(pinned!.invocations).toBeGreaterThan(100);
    const table = await runCli(["status", "--output", "table", "--endpoint-url", agent.url]);
    expect(table.stdout).toContain("functionName");
  });
});

describe("shutdown", () => {
  test("SIGTERM drains: running invocations finish, new ones get 503, then the agent exits 0", async () => {
    const agent = await startAgentProcess();
    await deploy(agent.url, createBodyWith("slow", "nodejs20.x", "index.handler", { "index.js": SLEEPER }));
    const running = invoke(agent.url, "slow", '{"ms":1500}');
    // the invocation is running (its worker is busy), however long the cold start took
    await eventually(async () => {
      const status = await readJson<{ Configuration: { EdgeStatus?: EdgeStatus } }>(
        await apiFetch(`${agent.url}/2015-03-31/functions/slow`),
      );
      return status.Configuration.EdgeStatus?.workers.busy === 1 ? true : undefined;
    });
    agent.proc.kill("SIGTERM");
    await eventually(() => (agent.output().includes("SIGTERM received") ? true : undefined));
    await expectLambdaError(await invoke(agent.url, "slow", '{"ms":1}'), 503, "ServiceException");
    const finished = await running;
    expect(finished.status).toBe(200);
    expect(await agent.proc.exited).toBe(0);
  });
});
