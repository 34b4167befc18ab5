/** @module The scheduler's metrics: counters and histograms moved where each invocation, start and exit happens. */
import { Counter, Histogram, type Registry } from "prom-client";
import type { WorkerProcess } from "../sandbox/mod.ts";
import type { FunctionTarget, InvocationResult, SchedulerObserver } from "../scheduler/mod.ts";
import { errorTypeLabel } from "./error-types.ts";

/** Buckets of invocation durations, in seconds: 1 ms to 15 minutes (Lambda's longest timeout). */
const DURATION_BUCKETS = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
  300,
  900,
];

/** Buckets of init durations, in seconds: 10 ms to a minute. */
const INIT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A live worker process and the function version it runs. */
export interface LiveWorker {
  /** The function's name. */
  functionName: string;
  /** The version it runs. */
  version: string;
  /** Its process (read for its memory peak at scrape). */
  process: WorkerProcess;
}

/** The metrics the scheduler moves, as its {@linkcode SchedulerObserver}; the workers it keeps alive. */
export class InvocationMetrics implements SchedulerObserver {
  /** Every counter and histogram here, for pruning the series of deleted functions. */
  readonly all: readonly (Counter<string> | Histogram<string>)[];
  readonly #invocations: Counter<string>;
  readonly #duration: Histogram<string>;
  readonly #initDuration: Histogram<string>;
  readonly #coldStarts: Counter<string>;
  readonly #oomKills: Counter<string>;
  readonly #restarts: Counter<string>;
  readonly #live = new Set<LiveWorker>();

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ["function", "version"];
    this.#invocations = new Counter({
      name: "lambdalet_invocations_total",
      help:
        "Invocations by function, version and outcome (success, error with its error_type, throttled); a failed start counts as an error",
      labelNames: [...labelNames, "outcome", "error_type"],
      registers,
    });
    this.#duration = new Histogram({
      name: "lambdalet_invocation_duration_seconds",
      help: "Time a worker spent on each invocation, from delivery to its answer, crash or deadline",
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#initDuration = new Histogram({
      name: "lambdalet_init_duration_seconds",
      help: "Time from a worker's start to its first request for work (its init)",
      labelNames,
      buckets: INIT_BUCKETS,
      registers,
    });
    this.#coldStarts = new Counter({
      name: "lambdalet_cold_starts_total",
      help: "Workers started (cold starts), whether or not the start succeeded",
      labelNames,
      registers,
    });
    this.#oomKills = new Counter({
      name: "lambdalet_oom_kills_total",
      help: "Worker processes the kernel killed for exceeding their memory limit",
      labelNames,
      registers,
    });
    this.#restarts = new Counter({
      name: "lambdalet_pinned_restarts_total",
      help: "Restarts of pinned workers after a failure",
      labelNames,
      registers,
    });
    this.all = [
      this.#invocations,
      this.#duration,
      this.#initDuration,
      this.#coldStarts,
      this.#oomKills,
      this.#restarts,
    ];
  }

  /** The worker processes alive now. */
  get live(): ReadonlySet<LiveWorker> {
    return this.#live;
  }

  invoked(target: FunctionTarget, result: InvocationResult): void {
    const { outcome } = result;
    const labels = { function: target.config.functionName, version: target.version };
    if (outcome.kind === "success") this.#invocations.inc({ ...labels, outcome: "success" });
    else {this.#invocations.inc({
        ...labels,
        outcome: "error",
        error_type: errorTypeLabel(outcome.errorType),
      });}
  }

  throttled(target: FunctionTarget): void {
    this.#invocations.inc({
      function: target.config.functionName,
      version: target.version,
      outcome: "throttled",
    });
  }

  workerStarting(target: FunctionTarget): void {
    this.#coldStarts.inc({ function: target.config.functionName, version: target.version });
  }

  workerReady(target: FunctionTarget, initDurationMs: number): void {
    this.#initDuration.observe(
      { function: target.config.functionName, version: target.version },
      initDurationMs / 1000,
    );
  }

  workerSpawned(target: FunctionTarget, process: WorkerProcess): void {
    const worker = { functionName: target.config.functionName, version: target.version, process };
    this.#live.add(worker);
    void process.exited.then(() => {
      this.#live.delete(worker);
      // read once the process is gone: its cgroup's count over its whole life
      const kills = process.oomKills();
      if (kills > 0) this.#oomKills.inc({ function: worker.functionName, version: worker.version }, kills);
    }, () => this.#live.delete(worker));
  }

  ran(target: FunctionTarget, durationMs: number): void {
    this.#duration.observe(
      { function: target.config.functionName, version: target.version },
      durationMs / 1000,
    );
  }

  pinnedRestarted(target: FunctionTarget): void {
    this.#restarts.inc({ function: target.config.functionName, version: target.version });
  }
}
