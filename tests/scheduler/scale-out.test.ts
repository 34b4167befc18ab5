/**
 * @module Scale-out within the agent's admission, with real workers: a burst of quick invocations queues for warm
 * workers, slow ones still get a worker each, and the memory budget is never passed (idle workers of another
 * function make room; busy ones are waited for).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { createBodyWith, deploy, invoke, readJson } from "../helpers/functions.ts";
import { unweighedWorkers } from "../../lib/scheduler/mod.ts";

const SLEEPER = `exports.handler = async (event) => {
  const began = Date.now();
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 0));
  return { pid: process.pid, began, ended: Date.now() };
};`;

interface Answer {
  pid: number;
  began: number;
  ended: number;
}

interface EdgeStatus {
  workers: { starting: number; idle: number; busy: number };
  coldStarts: number;
  invocations: number;
}

/** A nodejs worker is charged 48 MB: this budget holds two. */
const BUDGET_MB = 100;

describe("scale-out within the admission", () => {
  let agent: AgentProcess;
  const node = (name: string, extra: Record<string, unknown> = {}) =>
    deploy(agent.url, createBodyWith(name, "nodejs20.x", "index.handler", { "index.js": SLEEPER }, extra));
  const edgeStatus = async (name: string) =>
    (await readJson<{ Configuration: { EdgeStatus: EdgeStatus } }>(
      await apiFetch(`${agent.url}/2015-03-31/functions/${name}`),
    )).Configuration.EdgeStatus;
  const call = async (name: string, ms: number) => {
    const response = await invoke(agent.url, name, JSON.stringify({ ms }));
    expect(response.status).toBe(200);
    return await readJson<Answer>(response);
  };

  beforeAll(async () => {
    const dir = tempDir("lambdalet-scale-out-");
    const config = join(dir, "agent.json");
    writeFileSync(config, JSON.stringify({ admission: { memoryBudgetMb: BUDGET_MB } }));
    agent = await startAgentProcess({ dataDir: join(dir, "data"), flags: ["--config", config] });
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("a burst of 32 quick invocations is served by a few warm workers, not 32 cold starts", async () => {
    await node("burst", { Edge: { maxInstancesCount: 32 } });
    const answers = await Promise.all(Array.from({ length: 32 }, () => call("burst", 2)));
    const workers = new Set(answers.map((answer) => answer.pid)).size;
    const status = await edgeStatus("burst");
    expect(status.invocations).toBe(32);
    expect(status.coldStarts).toBe(workers);
    // two workers fit the budget: the rest of the burst waits for them, a few ms each
    expect(workers).toBeLessThanOrEqual(2);
  });

  describe("with room for many workers", () => {
    let roomy: AgentProcess;
    const call = async (name: string, ms: number) => {
      const response = await invoke(roomy.url, name, JSON.stringify({ ms }));
      expect(response.status).toBe(200);
      return await readJson<Answer>(response);
    };

    beforeAll(async () => {
      // its own agent: the default budget (the suite's agent has room for two)
      roomy = await startAgentProcess({ dataDir: join(tempDir("lambdalet-scale-out-roomy-"), "data") });
    });

    afterAll(async () => {
      await roomy?.stop();
    });

    test("a burst of quick invocations on a cold function is served by a few workers, not one per caller", async () => {
      await deploy(
        roomy.url,
        createBodyWith("cold-burst", "nodejs20.x", "index.handler", { "index.js": SLEEPER }, {
          Edge: { maxInstancesCount: 32 },
        }),
      );
      const answers = await Promise.all(Array.from({ length: 32 }, () => call("cold-burst", 2)));
      const workers = new Set(answers.map((answer) => answer.pid)).size;
      // two per core start at once (one on a single core); past them only the measured times may add one while the
      // workers do not wait for a CPU, and the wait for the first starts counts for nothing
      expect(workers).toBeGreaterThanOrEqual(Math.min(2, unweighedWorkers(availableParallelism())));
      expect(workers).toBeLessThanOrEqual(8);
    });

    test("slow invocations past the unweighed workers get more: they wait for I/O, not for a CPU", async () => {
      const always = unweighedWorkers(availableParallelism());
      await deploy(
        roomy.url,
        createBodyWith("sleepy", "nodejs20.x", "index.handler", { "index.js": SLEEPER }, {
          Timeout: 30,
          Edge: { maxInstancesCount: always + 8 },
        }),
      );
      const answers = await Promise.all(Array.from({ length: always + 8 }, () => call("sleepy", 2000)));
      const workers = new Set(answers.map((answer) => answer.pid)).size;
      expect(workers).toBeGreaterThan(always);
    });
  });

  test("slow invocations still get a worker each, up to the budget, and the rest wait for one", async () => {
    await node("slow");
    const answers = await Promise.all(Array.from({ length: 3 }, () => call("slow", 1500)));
    const pids = answers.map((answer) => answer.pid);
    expect(new Set(pids).size).toBe(2);
    // the third began only once one of the first two had ended: never three workers past the budget
    const sorted = [...answers].sort((a, b) => a.began - b.began);
    expect(sorted[2]!.began).toBeGreaterThanOrEqual(Math.min(sorted[0]!.ended, sorted[1]!.ended));
  });

  test("with the budget spent on idle workers, another function's invocation stops the longest idle one", async () => {
    // "slow" keeps two idle workers: the whole budget
    expect((await edgeStatus("slow")).workers.idle + (await edgeStatus("burst")).workers.idle)
      .toBeGreaterThanOrEqual(
        2,
      );
    await node("other");
    const answer = await call("other", 0);
    expect(answer.pid).toBeGreaterThan(0);
    const idle = (await edgeStatus("slow")).workers.idle + (await edgeStatus("burst")).workers.idle;
    expect(idle).toBeLessThanOrEqual(1);
    const status = await readJson<{ admission: Record<string, number> }>(
      await apiFetch(`${agent.url}/status`),
    );
    expect(status.admission.budgetBytes).toBe(BUDGET_MB * 1024 * 1024);
    expect(status.admission.evictions).toBeGreaterThanOrEqual(1);
    expect(status.admission.committedBytes).toBeLessThanOrEqual(BUDGET_MB * 1024 * 1024);
  });
});
