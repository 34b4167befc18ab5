/** @module The on-demand pool of one function version: warm reuse, a cap on workers, a bounded queue. */
import { AgentUnavailableError } from "../errors/mod.ts";
import { type InvocationRequest, platformError } from "../runtime-api/mod.ts";
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

/** How many workers an invocation may be handed to when each dies before fetching it. */
const MAX_DELIVERY_ATTEMPTS = 3;

type Lease = { worker: Worker } | { result: InvocationResult };

interface Waiter {
  requestId: string;
  resolve(lease: Lease): void;
  reject(error: unknown): void;
}

/** Runs invocations of one function version on warm workers, starting new ones up to the cap. */
export class OnDemandPool implements FunctionPool {
  readonly #target: FunctionTarget;
  readonly #deps: PoolDeps;
  readonly #limits: PoolLimits;
  readonly #workers = new Set<Worker>();
  readonly #idle: Worker[] = [];
  readonly #idleTimers = new Map<Worker, ReturnType<typeof setTimeout>>();
  readonly #waiters: Waiter[] = [];
  readonly #counters = new PoolCounters();
  #starting = 0;
  #retired = false;

  constructor(target: FunctionTarget, deps: PoolDeps, limits: PoolLimits) {
    this.#target = target;
    this.#deps = deps;
    this.#limits = limits;
  }

  /** Workers alive or starting. */
  get size(): number {
    return this.#workers.size + this.#starting;
  }

  /** Runs `request` on a warm worker, a new one, or after waiting in the queue. */
  async invoke(request: InvocationRequest): Promise<InvocationResult> {
    for (let attempt = 1;; attempt++) {
      const lease = await this.#acquire(request.requestId);
      if ("result" in lease) return this.#counters.record(lease.result);
      try {
        return this.#counters.record(await lease.worker.invoke(request));
      } catch (error) {
        // the worker died before it fetched the invocation (e.g. just after answering the previous one): it
        // never started, so it runs on another worker
        if (!(error instanceof WorkerGoneError)) throw error;
        if (attempt >= MAX_DELIVERY_ATTEMPTS) {
          const message =
            `RequestId: ${request.requestId} Error: Runtime exited before it fetched the invocation`;
          return { outcome: platformError("Runtime.ExitError", message), log: "" };
        }
      } finally {
        this.#release(lease.worker);
      }
    }
  }

  /** What the pool is doing. */
  status(): PoolStatus {
    const idle = this.#idle.length;
    return {
      lifecycle: "on-demand",
      state: this.#retired ? "stopped" : "ready",
      workers: { starting: this.#starting, idle, busy: this.#workers.size - idle },
      queueDepth: this.#waiters.length,
      invocations: this.#counters.invocations,
      errors: this.#counters.errors,
      coldStarts: this.#counters.coldStarts,
      restarts: 0,
    };
  }

  /** Stops taking new work: idle workers stop now, busy ones after their invocation and the queue. */
  retire(): void {
    this.#retired = true;
    for (const worker of this.#idle.splice(0)) this.#stopWorker(worker, "retired");
  }

  /** Kills every worker and fails every queued invocation; resolves once every worker has exited. */
  async stop(): Promise<void> {
    this.#retired = true;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.reject(new AgentUnavailableError("The agent is shutting down"));
    }
    const workers = [...this.#workers];
    for (const worker of workers) this.#stopWorker(worker, "agent-stopping");
    await Promise.all(workers.map((worker) => worker.exited));
  }

  #acquire(requestId: string): Promise<Lease> {
    const idle = this.#idle.pop();
    if (idle) {
      clearTimeout(this.#idleTimers.get(idle));
      this.#idleTimers.delete(idle);
      return Promise.resolve({ worker: idle });
    }
    if (this.size < this.#limits.maxInstances) return this.#start(requestId);
    if (this.#waiters.length >= this.#limits.maxQueue) {
      throw throttled("ConcurrentInvocationLimitExceeded");
    }
    return new Promise((resolve, reject) => this.#waiters.push({ requestId, resolve, reject }));
  }

  async #start(requestId: string): Promise<Lease> {
    this.#starting++;
    this.#counters.coldStarts++;
    let started;
    try {
      started = await Worker.start(this.#target, {
        ...this.#deps,
        startTimeoutMs: this.#limits.startTimeoutMs,
        requestId,
      });
    } catch (error) {
      this.#starting--;
      this.#pump(); // the start failed outright: a queued invocation may start another
      throw error;
    }
    this.#starting--;
    if (!started.ok) {
      this.#pump();
      return { result: started.result };
    }
    const { worker } = started;
    this.#workers.add(worker);
    void worker.exited.then(() => this.#forget(worker));
    return { worker };
  }

  #release(worker: Worker): void {
    if (worker.state === "dead") {
      this.#forget(worker);
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve({ worker });
      return;
    }
    if (this.#retired) {
      this.#stopWorker(worker, "retired");
      return;
    }
    this.#idle.push(worker);
    const timer = setTimeout(() => {
      const index = this.#idle.indexOf(worker);
      if (index !== -1) this.#idle.splice(index, 1);
      this.#idleTimers.delete(worker);
      this.#stopWorker(worker, "idle-timeout");
    }, this.#limits.idleTimeoutMs);
    timer.unref?.();
    this.#idleTimers.set(worker, timer);
  }

  #stopWorker(worker: Worker, reason: WorkerStopReason): void {
    clearTimeout(this.#idleTimers.get(worker));
    this.#idleTimers.delete(worker);
    worker.kill(reason);
    this.#forget(worker);
  }

  #forget(worker: Worker): void {
    if (!this.#workers.delete(worker)) return;
    const index = this.#idle.indexOf(worker);
    if (index !== -1) this.#idle.splice(index, 1);
    this.#pump();
  }

  /** Starts a worker for the oldest waiter when a slot has freed up. */
  #pump(): void {
    if (this.#waiters.length === 0 || this.size >= this.#limits.maxInstances) return;
    const waiter = this.#waiters.shift()!;
    this.#start(waiter.requestId).then(waiter.resolve, waiter.reject);
  }
}
