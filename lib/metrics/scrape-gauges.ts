/** @module The gauges read at scrape time: pools and workers from the scheduler's status, queues from the store. */
import { Gauge, type Registry } from "prom-client";
import type { VersionStatus } from "../scheduler/mod.ts";
import type { QueueBacklog } from "../store/mod.ts";
import type { LiveWorker } from "./invocation-metrics.ts";

/** What one scrape reads. */
export interface ScrapeSnapshot {
  /** Every pool, by function and version. */
  pools: readonly VersionStatus[];
  /** What waits in the Event queue. */
  backlog: readonly QueueBacklog[];
  /** Dead letters by function. */
  deadLetters: ReadonlyMap<string, number>;
  /** The worker processes alive. */
  workers: Iterable<LiveWorker>;
  /** Now, in epoch ms. */
  now: number;
}

const POOL_STATES = ["ready", "starting", "error", "stopped"] as const;
const WORKER_STATES = ["starting", "idle", "busy"] as const;

/** The gauges set afresh at each scrape: nothing is counted on the invocation's path for them. */
export class ScrapeGauges {
  readonly #workers: Gauge<string>;
  readonly #poolState: Gauge<string>;
  readonly #concurrent: Gauge<string>;
  readonly #poolQueue: Gauge<string>;
  readonly #eventQueue: Gauge<string>;
  readonly #eventAge: Gauge<string>;
  readonly #deadLetters: Gauge<string>;
  readonly #memoryPeak: Gauge<string>;

  constructor(registry: Registry) {
    const registers = [registry];
    const pool = ["function", "version", "lifecycle"];
    this.#workers = new Gauge({
      name: "lambdalet_workers",
      help: "Workers by function version, lifecycle (on-demand, pinned) and state (starting, idle, busy)",
      labelNames: [...pool, "state"],
      registers,
    });
    this.#poolState = new Gauge({
      name: "lambdalet_pool_state",
      help:
        "1 for the state a function version's pool is in (ready, starting, error, stopped; pinned pools use all four), else 0",
      labelNames: [...pool, "state"],
      registers,
    });
    this.#concurrent = new Gauge({
      name: "lambdalet_concurrent_executions",
      help: "Invocations running on a worker now, by function",
      labelNames: ["function"],
      registers,
    });
    this.#poolQueue = new Gauge({
      name: "lambdalet_pool_queue_depth",
      help: "Invocations waiting for a worker of a function version (maxQueueSize bounds it)",
      labelNames: pool,
      registers,
    });
    this.#eventQueue = new Gauge({
      name: "lambdalet_event_queue_depth",
      help:
        "Queued events waiting to run, by function and source (event: Event invokes and the like; pubsub)",
      labelNames: ["function", "source"],
      registers,
    });
    this.#eventAge = new Gauge({
      name: "lambdalet_event_queue_oldest_age_seconds",
      help: "Age of the oldest queued event, by function and source",
      labelNames: ["function", "source"],
      registers,
    });
    this.#deadLetters = new Gauge({
      name: "lambdalet_dead_letters",
      help: "Dead letters kept, by function",
      labelNames: ["function"],
      registers,
    });
    this.#memoryPeak = new Gauge({
      name: "lambdalet_worker_memory_peak_bytes",
      help: "The highest memory peak among a function version's live workers",
      labelNames: ["function", "version"],
      registers,
    });
  }

  /** Sets every gauge from `snapshot`; series of what is gone disappear. */
  update(snapshot: ScrapeSnapshot): void {
    for (const gauge of this.#gauges()) gauge.reset();
    const concurrent = new Map<string, number>();
    for (const pool of snapshot.pools) {
      const labels = { function: pool.functionName, version: pool.version, lifecycle: pool.lifecycle };
      for (const state of WORKER_STATES) this.#workers.set({ ...labels, state }, pool.workers[state]);
      for (const state of POOL_STATES) {
        this.#poolState.set({ ...labels, state }, pool.state === state ? 1 : 0);
      }
      this.#poolQueue.set(labels, pool.queueDepth);
      concurrent.set(pool.functionName, (concurrent.get(pool.functionName) ?? 0) + pool.workers.busy);
    }
    for (const [name, busy] of concurrent) this.#concurrent.set({ function: name }, busy);
    for (const item of snapshot.backlog) {
      const labels = { function: item.functionName, source: item.ordered ? "pubsub" : "event" };
      this.#eventQueue.set(labels, item.count);
      const age = Math.max(0, (snapshot.now - item.oldestEnqueuedAt) / 1000);
      this.#eventAge.set(labels, age);
    }
    for (const [name, count] of snapshot.deadLetters) this.#deadLetters.set({ function: name }, count);
    const peaks = new Map<string, { functionName: string; version: string; bytes: number }>();
    for (const worker of snapshot.workers) {
      const bytes = worker.process.peakMemoryBytes();
      if (bytes === null) continue;
      const key = `${worker.functionName}\0${worker.version}`;
      const known = peaks.get(key);
      if (!known || known.bytes < bytes) {
        peaks.set(key, { functionName: worker.functionName, version: worker.version, bytes });
      }
    }
    for (const peak of peaks.values()) {
      this.#memoryPeak.set({ function: peak.functionName, version: peak.version }, peak.bytes);
    }
  }

  #gauges(): Gauge<string>[] {
    return [
      this.#workers,
      this.#poolState,
      this.#concurrent,
      this.#poolQueue,
      this.#eventQueue,
      this.#eventAge,
      this.#deadLetters,
      this.#memoryPeak,
    ];
  }
}
