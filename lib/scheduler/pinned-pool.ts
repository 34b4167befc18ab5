/** @module A pinned (long-lived) function: one worker started at once, invocations served one at a time in order. */
import { AgentUnavailableError } from "../errors/mod.ts";
import { type InvocationOutcome, type InvocationRequest, platformError } from "../runtime-api/mod.ts";
import {
  type FunctionPool,
  PoolCounters,
  type PoolDeps,
  type PoolLimits,
  type PoolStatus,
  throttled,
} from "./pool-types.ts";
import type { WorkerStopReason } from "./observer.ts";
import type { FunctionTarget } from "./target.ts";
import { Worker } from "./worker.ts";
import { type InvocationResult, WorkerGoneError } from "./worker-types.ts";

interface Queued {
  request: InvocationRequest;
  resolve(result: InvocationResult): void;
  reject(error: unknown): void;
}

/**
 * Keeps exactly one worker for a pinned function version, started when the pool is made (so code outside the
 * handler runs before any invocation). Invocations queue in arrival order and run one at a time on it, so its
 * state lasts across them all. When the worker fails (start error, crash, timeout, OOM) the pool reports the
 * error state, fails the invocations waiting at that moment with the failure, and restarts it with exponential
 * backoff.
 */
export class PinnedPool implements FunctionPool {
  readonly #target: FunctionTarget;
  readonly #deps: PoolDeps;
  readonly #limits: PoolLimits;
  readonly #queue: Queued[] = [];
  readonly #counters = new PoolCounters();
  #worker: Worker | null = null;
  #state: PoolStatus["state"] = "starting";
  #busy = false;
  #restarts = 0;
  #backoffMs: number;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #lastError: string | undefined;
  #stopped = false;
  /** What its worker is told it stopped for once the pool stops: retired, or the agent stopping. */
  #stopReason: WorkerStopReason = "retired";
  #onStarted: (state: PoolStatus["state"]) => void = () => {};
  /** Resolves once the first start ends: `ready`, `error` or `stopped` (deployments wait on it). */
  readonly started: Promise<PoolStatus["state"]>;

  constructor(target: FunctionTarget, deps: PoolDeps, limits: PoolLimits) {
    this.#target = target;
    this.#deps = deps;
    this.#limits = limits;
    this.#backoffMs = deps.restartBackoff.initialMs;
    this.started = new Promise((resolve) => {
      this.#onStarted = resolve;
    });
    void this.#start();
  }

  /** Queues `request`; it runs after every invocation that arrived before it. */
  invoke(request: InvocationRequest): Promise<InvocationResult> {
    if (this.#stopped) throw new AgentUnavailableError("The function's pinned worker was stopped");
    if (this.#queue.length >= this.#limits.maxQueue) {
      throw throttled("ConcurrentInvocationLimitExceeded");
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#pump();
    });
  }

  /** Stops the worker after its current invocation; queued invocations still run first. */
  retire(): void {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    if (this.#state !== "ready") {
      // no worker to run what waits (starting, or waiting to restart): the callers may retry on the new pool
      this.#rejectQueued();
      if (this.#state === "error") this.#shutdown();
      return;
    }
    if (!this.#busy && this.#queue.length === 0) this.#shutdown();
  }

  #rejectQueued(): void {
    for (const queued of this.#queue.splice(0)) {
      queued.reject(
        new AgentUnavailableError("The function changed while this invocation waited: try again"),
      );
    }
  }

  /** Kills the worker and fails what is queued. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopReason = "agent-stopping";
    clearTimeout(this.#restartTimer);
    for (const queued of this.#queue.splice(0)) {
      queued.reject(new AgentUnavailableError("The agent is shutting down"));
    }
    const worker = this.#worker;
    this.#shutdown();
    if (worker) await worker.exited;
  }

  /** What the pool is doing. */
  status(): PoolStatus {
    const alive = this.#worker !== null && this.#state === "ready";
    return {
      lifecycle: "pinned",
      state: this.#state,
      workers: {
        starting: this.#state === "starting" ? 1 : 0,
        idle: alive && !this.#busy ? 1 : 0,
        busy: alive && this.#busy ? 1 : 0,
      },
      queueDepth: this.#queue.length,
      invocations: this.#counters.invocations,
      errors: this.#counters.errors,
      coldStarts: this.#counters.coldStarts,
      restarts: this.#restarts,
      ...(this.#state === "error" && this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  async #start(): Promise<void> {
    this.#state = "starting";
    this.#counters.coldStarts++;
    // counted in the agent's memory budget, never refused by it: a pinned function was asked for by name
    const charge = this.#deps.admission.charge(this.#deps.workerBytes);
    let started;
    try {
      started = await Worker.start(this.#target, {
        ...this.#deps,
        startTimeoutMs: this.#limits.startTimeoutMs,
        requestId: crypto.randomUUID(),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      started = {
        ok: false as const,
        result: { outcome: platformError("Runtime.Unknown", message), log: "" },
      };
    }
    if (started.ok) void started.worker.exited.then(() => charge.release());
    else charge.release();
    if (this.#stopped) {
      if (started.ok) started.worker.kill(this.#stopReason);
      this.#rejectQueued();
      this.#state = "stopped";
      this.#onStarted("stopped");
      this.#onStarted = () => {};
      return;
    }
    if (!started.ok) {
      this.#fail(started.result.outcome, started.result);
      this.#onStarted("error");
      return;
    }
    const worker = started.worker;
    this.#worker = worker;
    this.#state = "ready";
    this.#onStarted("ready");
    void worker.exited.then(() => {
      if (this.#worker !== worker || this.#stopped) return;
      if (!this.#busy) this.#fail(platformError("Runtime.ExitError", "The pinned worker exited while idle"));
    });
    this.#pump();
  }

  #pump(): void {
    if (this.#busy || this.#state !== "ready" || !this.#worker) return;
    const next = this.#queue.shift();
    if (!next) {
      if (this.#stopped) this.#shutdown();
      return;
    }
    this.#busy = true;
    const worker = this.#worker;
    worker.invoke(next.request).then(
      (result) => {
        this.#busy = false;
        next.resolve(this.#counters.record(result));
        if (worker.state === "dead") this.#fail(result.outcome);
        else this.#backoffMs = this.#deps.restartBackoff.initialMs;
        this.#pump();
      },
      (error: unknown) => {
        this.#busy = false;
        if (error instanceof WorkerGoneError) {
          this.#queue.unshift(next); // never fetched: it runs on the restarted worker
          this.#fail(
            platformError("Runtime.ExitError", "The pinned worker exited before it fetched an invocation"),
          );
          return;
        }
        next.reject(error);
        this.#pump();
      },
    );
  }

  /** Enters the error state, fails what waits now, and schedules a restart. */
  #fail(outcome: InvocationOutcome, result?: InvocationResult): void {
    this.#worker?.kill();
    this.#worker = null;
    this.#state = "error";
    this.#lastError = describeOutcome(outcome);
    if (result) {
      for (const queued of this.#queue.splice(0)) queued.resolve(this.#counters.record(result));
    }
    if (this.#stopped) {
      this.#rejectQueued();
      return;
    }
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#deps.restartBackoff.maxMs);
    this.#restartTimer = setTimeout(() => {
      this.#restarts++;
      this.#deps.observer?.pinnedRestarted(this.#target);
      void this.#start();
    }, delay);
  }

  #shutdown(): void {
    this.#state = "stopped";
    this.#worker?.kill(this.#stopReason);
    this.#worker = null;
  }
}

function describeOutcome(outcome: InvocationOutcome): string {
  const text = new TextDecoder().decode(outcome.body);
  try {
    const parsed = JSON.parse(text) as { errorType?: string; errorMessage?: string };
    return `${parsed.errorType ?? outcome.kind}: ${parsed.errorMessage ?? ""}`.trim();
  } catch {
    return text.slice(0, 200);
  }
}
