/** @module `GET /metrics` of a real agent with real workers: counters move by exactly the invocations made. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { createBody, deploy, eventually, HANDLERS, invoke } from "../helpers/functions.ts";
import { type MetricFamily, parsePrometheusText, sampleSum } from "../helpers/prometheus-text.ts";

describe("GET /metrics of a running agent", () => {
  let agent: AgentProcess;
  let before: Map<string, MetricFamily>;

  /** Reads the metrics unsigned, as a scraper on the device does (the test agent listens on loopback). */
  const scrape = async (): Promise<Map<string, MetricFamily>> => {
    const response = await fetch(`${agent.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    return parsePrometheusText(await response.text());
  };
  const delta = (after: Map<string, MetricFamily>, name: string, labels: Record<string, string>) =>
    sampleSum(after, name, labels) - sampleSum(before, name, labels);

  beforeAll(async () => {
    agent = await startAgentProcess();
    await deploy(agent.url, createBody("metrics-ok", HANDLERS.counter));
    await deploy(agent.url, createBody("metrics-throws", HANDLERS.throwing));
    await deploy(agent.url, createBody("metrics-capped", HANDLERS.counter));
    const put = await apiFetch(`${agent.url}/2017-10-31/functions/metrics-capped/concurrency`, {
      method: "PUT",
      body: JSON.stringify({ ReservedConcurrentExecutions: 0 }),
    });
    expect(put.status).toBe(200);
    before = await scrape();
    for (let i = 0; i < 5; i++) expect((await invoke(agent.url, "metrics-ok", "{}")).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const failed = await invoke(agent.url, "metrics-throws", "{}");
      expect(failed.headers.get("x-amz-function-error")).toBe("Unhandled");
    }
    for (let i = 0; i < 2; i++) expect((await invoke(agent.url, "metrics-capped", "{}")).status).toBe(429);
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("invocations count successes, errors by capped error type, and throttles, exactly", async () => {
    const after = await scrape();
    const name = "lambdalet_invocations_total";
    expect(delta(after, name, { function: "metrics-ok", outcome: "success" })).toBe(5);
    expect(delta(after, name, { function: "metrics-ok" })).toBe(5);
    // ValidationError is the function's own class: counted as `other`, so names cannot grow the series
    expect(delta(after, name, { function: "metrics-throws", outcome: "error", error_type: "other" })).toBe(3);
    expect(delta(after, name, { function: "metrics-throws" })).toBe(3);
    expect(delta(after, name, { function: "metrics-capped", outcome: "throttled" })).toBe(2);
    expect(delta(after, name, { function: "metrics-capped" })).toBe(2);
  });

  test("durations, init durations and cold starts count each run and each worker's start", async () => {
    const after = await scrape();
    for (const [fn, runs] of [["metrics-ok", 5], ["metrics-throws", 3]] as const) {
      const labels = { function: fn, version: "$LATEST" };
      expect(delta(after, "lambdalet_invocation_duration_seconds_count", labels)).toBe(runs);
      expect(delta(after, "lambdalet_invocation_duration_seconds_sum", labels)).toBeGreaterThan(0);
      expect(delta(after, "lambdalet_cold_starts_total", labels)).toBe(1);
      expect(delta(after, "lambdalet_init_duration_seconds_count", labels)).toBe(1);
    }
    expect(delta(after, "lambdalet_cold_starts_total", { function: "metrics-capped" })).toBe(0);
  });

  test("the warm worker shows as idle in its on-demand pool, which is ready", async () => {
    const after = await scrape();
    const pool = { function: "metrics-ok", version: "$LATEST", lifecycle: "on-demand" };
    expect(sampleSum(after, "lambdalet_workers", { ...pool, state: "idle" })).toBe(1);
    expect(sampleSum(after, "lambdalet_workers", { ...pool, state: "busy" })).toBe(0);
    expect(sampleSum(after, "lambdalet_pool_state", { ...pool, state: "ready" })).toBe(1);
    expect(sampleSum(after, "lambdalet_pool_state", { ...pool, state: "error" })).toBe(0);
    expect(sampleSum(after, "lambdalet_concurrent_executions", { function: "metrics-ok" })).toBe(0);
    expect(sampleSum(after, "lambdalet_worker_memory_peak_bytes", { function: "metrics-ok" }))
      .toBeGreaterThan(0);
    expect(after.get("lambdalet_workers")?.type).toBe("gauge");
    expect(after.get("lambdalet_invocation_duration_seconds")?.type).toBe("histogram");
  });

  test("an Event invocation is counted by the dispatcher when it leaves the queue", async () => {
    const accepted = await invoke(agent.url, "metrics-ok", "{}", { "X-Amz-Invocation-Type": "Event" });
    expect(accepted.status).toBe(202);
    const finished = { function: "metrics-ok", source: "event", end: "Success", sent_to: "none" };
    const after = await eventually(async () => {
      const scraped = await scrape();
      return delta(scraped, "lambdalet_events_finished_total", finished) === 1 ? scraped : undefined;
    });
    expect(delta(after, "lambdalet_invocations_total", { function: "metrics-ok", outcome: "success" })).toBe(
      6,
    );
    expect(sampleSum(after, "lambdalet_event_queue_depth", { function: "metrics-ok" })).toBe(0);
  });

  test("the process metrics of prom-client are there", async () => {
    const after = await scrape();
    expect(after.get("process_cpu_seconds_total")?.type).toBe("counter");
    expect(sampleSum(after, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(after.has("nodejs_heap_size_used_bytes")).toBe(true);
  });
});
