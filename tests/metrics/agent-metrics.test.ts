/** @module The metrics part alone: label caps, series of deleted functions, scrape-time gauges over a real store. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentMetrics, errorTypeLabel } from "../../lib/metrics/mod.ts";
import type { FunctionTarget, VersionStatus } from "../../lib/scheduler/mod.ts";
import { openStore, type Store } from "../../lib/store/mod.ts";
import { parsePrometheusText, sampleSum } from "../helpers/prometheus-text.ts";

function targetOf(functionName: string, version = "$LATEST"): FunctionTarget {
  return { config: { functionName }, version } as unknown as FunctionTarget;
}

const failed = (errorType: string) => ({
  outcome: { kind: "error" as const, errorType, body: new Uint8Array() },
  log: "",
});

describe("AgentMetrics", () => {
  let dir: string;
  let store: Store;
  const existing = new Set(["alpha", "beta"]);
  let pools: VersionStatus[] = [];
  let metrics: AgentMetrics;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "lambdalet-metrics-"));
    store = openStore(join(dir, "lambdalet.db"));
    metrics = new AgentMetrics({
      scheduler: { status: () => pools },
      store: { events: store.events, functions: { exists: (name) => existing.has(name) } },
    }, { processMetrics: false });
  });

  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async () => parsePrometheusText(await metrics.render());

  test("errorTypeLabel() keeps Lambda's and the languages' error types and calls the rest other", () => {
    expect(errorTypeLabel("Sandbox.Timedout")).toBe("Sandbox.Timedout");
    expect(errorTypeLabel("Runtime.OutOfMemory")).toBe("Runtime.OutOfMemory");
    expect(errorTypeLabel("TypeError")).toBe("TypeError");
    expect(errorTypeLabel("ValidationError")).toBe("other");
    expect(errorTypeLabel(`Custom${crypto.randomUUID()}`)).toBe("other");
  });

  test("a thousand error class names make one series", async () => {
    for (let i = 0; i < 1000; i++) metrics.scheduler.invoked(targetOf("alpha"), failed(`Error${i}`));
    const scraped = await scrape();
    const series = scraped.get("lambdalet_invocations_total")!.samples.filter((s) =>
      s.labels.function === "alpha"
    );
    expect(series).toEqual([{
      name: "lambdalet_invocations_total",
      labels: { function: "alpha", version: "$LATEST", outcome: "error", error_type: "other" },
      value: 1000,
    }]);
  });

  test("the series of a deleted function are gone at the next scrape", async () => {
    existing.add("gamma");
    metrics.scheduler.invoked(targetOf("gamma"), failed("Error"));
    metrics.scheduler.ran(targetOf("gamma"), 12);
    metrics.scheduler.workerStarting(targetOf("gamma"));
    expect(sampleSum(await scrape(), "lambdalet_invocations_total", { function: "gamma" })).toBe(1);
    existing.delete("gamma");
    const scraped = await scrape();
    for (const family of scraped.values()) {
      expect(family.samples.filter((sample) => sample.labels.function === "gamma")).toEqual([]);
    }
    expect(sampleSum(scraped, "lambdalet_invocations_total", { function: "alpha" })).toBe(1000);
  });

  test("queue depth and age are read by source: Event invokes, and pub/sub deliveries (ordered)", async () => {
    const now = Date.now();
    const event = (id: string, enqueuedAt: number, orderingKey?: string) => ({
      id,
      functionName: "beta",
      version: "$LATEST",
      invokedArn: "arn:aws:lambda:us-east-1:000000000000:function:beta",
      payload: new Uint8Array(),
      clientContext: null,
      enqueuedAt,
      ...(orderingKey ? { orderingKey } : {}),
    });
    store.events.enqueueAll([
      event("e1", now - 30_000),
      event("e2", now - 1_000),
      event("t1", now - 5_000, "topics:beta"),
    ]);
    store.events.bury(
      { ...event("d1", now), attempts: 3, nextAttemptAt: now, lastError: null },
      "RetriesExhausted",
      3,
      null,
      now,
    );
    const scraped = await scrape();
    expect(sampleSum(scraped, "lambdalet_event_queue_depth", { function: "beta", source: "event" })).toBe(2);
    expect(sampleSum(scraped, "lambdalet_event_queue_depth", { function: "beta", source: "pubsub" })).toBe(1);
    const age = sampleSum(scraped, "lambdalet_event_queue_oldest_age_seconds", {
      function: "beta",
      source: "event",
    });
    expect(age).toBeGreaterThanOrEqual(30);
    expect(age).toBeLessThan(60);
    expect(sampleSum(scraped, "lambdalet_dead_letters", { function: "beta" })).toBe(1);
  });

  test("pools give workers by state, the pool's state, its queue and the function's concurrency", async () => {
    const pool = (
      version: string,
      busy: number,
      state: VersionStatus["state"],
      lifecycle: VersionStatus["lifecycle"],
    ) => ({
      functionName: "alpha",
      version,
      lifecycle,
      state,
      workers: { starting: 0, idle: 1, busy },
      queueDepth: 4,
      invocations: 0,
      errors: 0,
      coldStarts: 0,
      restarts: 0,
    });
    pools = [pool("$LATEST", 2, "ready", "on-demand"), pool("1", 1, "error", "pinned")];
    const scraped = await scrape();
    expect(sampleSum(scraped, "lambdalet_concurrent_executions", { function: "alpha" })).toBe(3);
    expect(sampleSum(scraped, "lambdalet_workers", { version: "$LATEST", state: "busy" })).toBe(2);
    expect(sampleSum(scraped, "lambdalet_pool_state", { version: "1", lifecycle: "pinned", state: "error" }))
      .toBe(1);
    expect(sampleSum(scraped, "lambdalet_pool_state", { version: "1", state: "ready" })).toBe(0);
    expect(sampleSum(scraped, "lambdalet_pool_queue_depth", { function: "alpha" })).toBe(8);
    pools = [];
    expect((await scrape()).get("lambdalet_workers")!.samples).toEqual([]);
  });
});

describe("parsePrometheusText() (the tests' strict reader)", () => {
  test("refuses what the format does not allow", () => {
    const bad = [
      "x 1", // no final newline
      'x{a="1"} 1\nx{a="1"} 2\n', // a duplicate series
      'x{a="\\t"} 1\n', // an escape the format lacks
      'x{1a="b"} 1\n', // a bad label name
      "x one\n",
      "# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\nx 2\n", // a split family
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n', // not cumulative
    ];
    for (const text of bad) expect(() => parsePrometheusText(text)).toThrow();
  });
});
