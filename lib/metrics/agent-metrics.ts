/** @module The agent's Prometheus registry: what the scheduler and dispatcher count, the scrape-time gauges, the process. */
import { collectDefaultMetrics, type Counter, type Histogram, Registry } from "prom-client";
import type { DispatcherObserver } from "../events/mod.ts";
import type { Scheduler, SchedulerObserver } from "../scheduler/mod.ts";
import type { EventQueue, FunctionRepository } from "../store/mod.ts";
import { EventMetrics } from "./event-metrics.ts";
import { InvocationMetrics } from "./invocation-metrics.ts";
import { ScrapeGauges } from "./scrape-gauges.ts";

/** What the metrics read at scrape time. */
export interface MetricsDeps {
  /** Every pool's status. */
  scheduler: Pick<Scheduler, "status">;
  /** The Event queue and dead letters, and which functions exist (the series of deleted ones are dropped). */
  store: {
    events: Pick<EventQueue, "backlog" | "deadLetterCounts">;
    functions: Pick<FunctionRepository, "exists">;
  };
}

/** Options of {@linkcode AgentMetrics}. */
export interface MetricsOptions {
  /**
   * Whether to add prom-client's process and runtime metrics (`process_*`, `nodejs_*`), from the first scrape on: their
   * collectors (an event-loop delay monitor, a GC observer) cost the agent ~2 MB, which an agent nobody
   * scrapes does without. @default true
   */
  processMetrics?: boolean;
}

/**
 * The agent's metrics. Counters and histograms move where things happen: give {@linkcode AgentMetrics.scheduler}
 * to the scheduler and {@linkcode AgentMetrics.events} to the Event dispatcher. Gauges (workers, pools, queues, dead
 * letters, memory) are read from the scheduler and the store when {@linkcode AgentMetrics.render} is called.
 */
export class AgentMetrics {
  /** The scheduler's observer. */
  readonly scheduler: SchedulerObserver;
  /** The Event dispatcher's observer. */
  readonly events: DispatcherObserver;
  /** The Content-Type of {@linkcode AgentMetrics.render}'s text (Prometheus text format 0.0.4). */
  readonly contentType: string;
  readonly #deps: MetricsDeps;
  readonly #registry = new Registry();
  readonly #invocations: InvocationMetrics;
  readonly #gauges: ScrapeGauges;
  readonly #counted: readonly (Counter<string> | Histogram<string>)[];
  #processMetricsPending: boolean;

  constructor(deps: MetricsDeps, options: MetricsOptions = {}) {
    this.#deps = deps;
    this.#invocations = new InvocationMetrics(this.#registry);
    const events = new EventMetrics(this.#registry);
    this.#gauges = new ScrapeGauges(this.#registry);
    this.#counted = [...this.#invocations.all, ...events.all];
    this.scheduler = this.#invocations;
    this.events = events;
    this.contentType = this.#registry.contentType;
    this.#processMetricsPending = options.processMetrics ?? true;
  }

  /** Every metric in the Prometheus text format, the gauges read now. */
  async render(): Promise<string> {
    const { store, scheduler } = this.#deps;
    if (this.#processMetricsPending) {
      this.#processMetricsPending = false;
      collectDefaultMetrics({ register: this.#registry });
    }
    await this.#dropDeletedFunctions();
    this.#gauges.update({
      pools: scheduler.status(),
      backlog: store.events.backlog(),
      deadLetters: store.events.deadLetterCounts(),
      workers: this.#invocations.live,
      now: Date.now(),
    });
    return await this.#registry.metrics();
  }

  /** Removes the counted series of functions that no longer exist, so that deleted names do not pile up. */
  async #dropDeletedFunctions(): Promise<void> {
    const exists = new Map<string, boolean>();
    for (const metric of this.#counted) {
      for (const { labels } of (await metric.get()).values) {
        const name = labels["function"];
        if (typeof name !== "string") continue;
        let known = exists.get(name);
        if (known === undefined) {
          known = this.#deps.store.functions.exists(name);
          exists.set(name, known);
        }
        if (known) continue;
        // a histogram's values are its buckets: the series is named without `le`
        const { le: _bucket, ...series } = labels;
        metric.remove(series);
      }
    }
  }
}
