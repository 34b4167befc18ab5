/** @module The agent's own JSON log tells each deployment, worker start and stop, throttle, retry and dead letter. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { apiFetch } from "../helpers/api-client.ts";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { createBody, deploy, eventually, HANDLERS, handlerZip, invoke } from "../helpers/functions.ts";
import { AGENT_TEST_TIMEOUT_MS } from "../helpers/timeouts.ts";

type Line = Record<string, unknown> & { event?: string; level: string; message: string };

describe("the agent's own log (--log-format json)", () => {
  let agent: AgentProcess;

  /** Every JSON line the agent wrote about `event`. */
  function linesOf(event: string, match: Record<string, unknown> = {}): Line[] {
    return agent.output().split("\n").flatMap((text) => {
      if (!text.startsWith("{")) return [];
      const line = JSON.parse(text) as Line;
      if (line.event !== event) return [];
      return Object.entries(match).every(([key, value]) => line[key] === value) ? [line] : [];
    });
  }

  function lineOf(event: string, match: Record<string, unknown>): Promise<Line> {
    return eventually(() => linesOf(event, match)[0]);
  }

  beforeAll(async () => {
    const dir = tempDir("lambdalet-agent-log-");
    const config = join(dir, "agent.json");
    writeFileSync(config, JSON.stringify({ eventRetryDelaysSeconds: [0.1] }));
    agent = await startAgentProcess({
      dataDir: join(dir, "data"),
      flags: ["--config", config, "--log-format", "json"],
    });
  }, AGENT_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await agent?.stop();
  });

  test("a deployment is one line with its id, status, policy and each function's status", async () => {
    const document = {
      functions: [{
        ...createBody("deployed", HANDLERS.counter, { Edge: { pinned: true } }),
        Code: { ZipFile: Buffer.from(handlerZip(HANDLERS.counter)).toString("base64") },
      }],
    };
    const response = await apiFetch(`${agent.url}/lambdalet/v1/deployments`, {
      method: "POST",
      body: JSON.stringify(document),
    });
    const record = await response.json() as { DeploymentId: string };
    expect(response.status).toBe(201);
    const line = await lineOf("deployment", { deploymentId: record.DeploymentId });
    expect(line).toMatchObject({
      level: "info",
      status: "COMPLETED",
      policy: "ROLLBACK",
      functions: { deployed: "STARTED" },
      error: null,
    });
    // its pinned worker's start is told too, with its lifecycle
    const started = await lineOf("worker.start", { function: "deployed" });
    expect(started).toMatchObject({ level: "info", version: "$LATEST", lifecycle: "pinned" });
  }, AGENT_TEST_TIMEOUT_MS);

  test(
    "a worker's start has its cold start; its stop after maxIdleTimeInSeconds says idle-timeout",
    async () => {
      await deploy(agent.url, createBody("idle", HANDLERS.counter, { Edge: { maxIdleTimeInSeconds: 1 } }));
      expect((await invoke(agent.url, "idle", "{}")).status).toBe(200);
      const started = await lineOf("worker.start", { function: "idle" });
      expect(started).toMatchObject({ level: "info", version: "$LATEST", lifecycle: "on-demand" });
      expect(started.coldStartMs).toBeGreaterThan(0);
      const stopped = await lineOf("worker.stop", { function: "idle" });
      expect(stopped).toMatchObject({ level: "info", reason: "idle-timeout", lifecycle: "on-demand" });
      expect(stopped.exit).toBeString();
    },
    AGENT_TEST_TIMEOUT_MS,
  );

  test("UpdateFunctionConfiguration retires the old worker, and its stop says so", async () => {
    await deploy(agent.url, createBody("changing", HANDLERS.counter));
    expect((await invoke(agent.url, "changing", "{}")).status).toBe(200);
    const updated = await apiFetch(`${agent.url}/2015-03-31/functions/changing/configuration`, {
      method: "PUT",
      body: JSON.stringify({ Timeout: 9 }),
    });
    expect(updated.status).toBe(200);
    expect(await lineOf("worker.stop", { function: "changing" })).toMatchObject({ reason: "retired" });
  }, AGENT_TEST_TIMEOUT_MS);

  test(
    "a throttle by reserved concurrency 0 is a warning; a burst of them writes one line and a count",
    async () => {
      await deploy(agent.url, createBody("limited", HANDLERS.counter));
      const put = await apiFetch(`${agent.url}/2017-10-31/functions/limited/concurrency`, {
        method: "PUT",
        body: JSON.stringify({ ReservedConcurrentExecutions: 0 }),
      });
      expect(put.status).toBe(200);
      const statuses = await Promise.all(
        Array.from({ length: 40 }, async () => (await invoke(agent.url, "limited", "{}")).status),
      );
      expect(statuses.every((status) => status === 429)).toBe(true);
      const first = await lineOf("throttle", { function: "limited" });
      expect(first).toMatchObject({ level: "warn", reason: "reserved-concurrency", version: "$LATEST" });
      const summary = await eventually(() =>
        linesOf("throttle", { function: "limited" }).find((line) => line.suppressed)
      );
      // every throttle is counted: one line written, the rest in the count
      expect(summary.suppressed).toBe(39);
      expect(linesOf("throttle", { function: "limited" })).toHaveLength(2);
    },
    AGENT_TEST_TIMEOUT_MS,
  );

  test(
    "an Event that throws is retried (request id, attempt, delay, reason), then dead-lettered",
    async () => {
      await deploy(agent.url, createBody("failing", HANDLERS.throwing));
      const queued = await invoke(agent.url, "failing", "{}", { "X-Amz-Invocation-Type": "Event" });
      expect(queued.status).toBe(202);
      const requestId = queued.headers.get("x-amzn-requestid");
      const retry = await lineOf("event.retry", { function: "failing" });
      expect(retry).toMatchObject({
        level: "warn",
        requestId,
        attempt: 2,
        delayMs: 100,
        reason: "function-error",
      });
      const buried = await lineOf("event.dead-letter", { function: "failing" });
      expect(buried).toMatchObject({ level: "warn", requestId, end: "RetriesExhausted" });
    },
    AGENT_TEST_TIMEOUT_MS,
  );
});
