/**
 * @module The on-demand pool of one function version: warm reuse, scale-out only when a new worker would serve
 * sooner than a warm one, within the agent's admission; a bounded queue; provisioned workers kept ready.
 */
import { AgentUnavailableError } from "../errors/mod.ts";
import { type InvocationRequest, platformError } from "../runtime-api/mod.ts";
import type { AdmissionClient, Admitted } from "./admission.ts";
import {
  type FunctionPool,
  PoolCounters,
  type PoolDeps,
  type PoolLimits,
  type PoolStatus,
  throttled,
} from "./pool-types.ts";
import type { WorkerStopReason } from "./observer.ts";
import { CpuContention } from "./cpu-contention.ts";
import { ScaleEstimates } from "./scale-estimates.ts";
import type { FunctionTarget } from "./target.ts";
import { Worker } from "./worker.ts";
import { type InvocationResult, WorkerGoneError } from "./worker-types.ts";

/** How many workers an invocation may be handed to when each dies before fetching it. */
const MAX_DELIVERY_ATTEMPTS = 3;

type Lease = { worker: Worker } | { result: InvocationResult };

interface Waiter {
  requestId: string;
  /** When it began to wait (performance.now()). */
  since: number;
  resolve(lease: Lease): void;
  reject(error: unknown): void;
}

/** A live worker, its leases, and its share of the agent's memory budget. */
interface Slot {
  worker: Worker;
  /** Invocations handed to it and not yet ended. */
  leases: number;
  admitted: Admitted;
  /** Started ahead as provisioned concurrency: kept however long it idles, replaced when it dies. */
  provisioned: boolean;
  /** When its last lease ended (Date.now()), while it has none. */
  idleSince: number | null;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

/** What {@linkcode OnDemandPool.provision} ended with. */
export interface ProvisionResult {
  /** Provisioned workers ready now. */
  ready: number;
  /** Why fewer than asked for are ready. */
  error?: string;
}

/**
 * The workers a pool starts for waiting callers without weighing their start, on a host of `cores`: two per core
 * where there are several (a worker waits for the agent, running on another core, between two invocations: a
 * second one keeps its core busy meanwhile; measured +9% at concurrency 8 on 2 cores), one on a single core (the
 * agent and the workers take turns on it anyway: a second worker measured 16% slower).
 */
export function unweighedWorkers(cores: number): number {
  return cores > 1 ? 2 * cores : 1;
}

/**
 * Runs invocations of one function version on warm workers. An invocation that finds none free waits for one
 * unless a new worker would serve it sooner (the pool's measured invocation and start times decide) and the
 * agent's admission lets it start (memory budget, starts per core); a burst past {@linkcode unweighedWorkers} thus
 * queues for warm workers instead of starting an interpreter per caller. A full queue starts a worker rather than refuse.
 */
export class OnDemandPool implements FunctionPool, AdmissionClient {
  readonly #target: FunctionTarget;
  readonly #deps: PoolDeps;
  readonly #limits: PoolLimits;
  readonly #slots = new Map<Worker, Slot>();
  /** Workers with a free lease, the most recently freed last (taken first: the others go idle and are reaped). */
  readonly #free: Worker[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #counters = new PoolCounters();
  readonly #estimates = new ScaleEstimates();
  readonly #unregister: () => void;
  #starting = 0;
  #provisioned = 0;
  #provisionStarting = 0;
  #retired = false;
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #contention = new CpuContention();
  /** When the pool last went from no ready worker to one (`performance.now()`). */
  #readySince = 0;

  constructor(target: FunctionTarget, deps: PoolDeps, limits: PoolLimits) {
    this.#target = target;
    this.#deps = deps;
    this.#limits = limits;
    this.#unregister = deps.admission.register(this);
  }

  /** Workers alive or starting. */
  get size(): number {
    return this.#slots.size + this.#starting;
  }

  /** Runs `request` on a warm worker, a new one, or after waiting in the queue. */
  async invoke(request: InvocationRequest): Promise<InvocationResult> {
    for (let attempt = 1;; attempt++) {
      const lease = await this.#acquire(request.requestId);
      if ("result" in lease) return this.#counters.record(lease.result);
      const started = performance.now();
      try {
        const result = await lease.worker.invoke(request);
        this.#estimates.ran(performance.now() - started);
        return this.#counters.record(result);
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

  /**
   * Keeps `count` workers started ahead (`AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency`), never reaped
   * for idleness and replaced when they die; resolves once they have started (or failed to). 0 lets them go.
   */
  async provision(count: number): Promise<ProvisionResult> {
    this.#provisioned = Math.max(0, Math.min(count, this.#limits.maxInstances));
    const kept = [...this.#slots.values()].filter((slot) => slot.provisioned);
    for (const slot of kept.slice(this.#provisioned)) {
      slot.provisioned = false;
      if (slot.leases === 0) this.#idle(slot);
    }
    const missing = this.#provisioned - Math.min(kept.length, this.#provisioned) - this.#provisionStarting;
    const errors: string[] = [];
    await Promise.all(Array.from({ length: Math.max(0, missing) }, async () => {
      const error = await this.#startProvisioned();
      if (error) errors.push(error);
    }));
    const ready = [...this.#slots.values()].filter((slot) => slot.provisioned).length;
    return ready >= this.#provisioned || errors.length === 0 ? { ready } : { ready, error: errors[0]! };
  }

  /** What the pool is doing. */
  status(): PoolStatus {
    let busy = 0;
    for (const slot of this.#slots.values()) if (slot.leases > 0) busy++;
    return {
      lifecycle: "on-demand",
      state: this.#retired ? "stopped" : "ready",
      workers: { starting: this.#starting, idle: this.#slots.size - busy, busy },
      queueDepth: this.#waiters.length,
      invocations: this.#counters.invocations,
      errors: this.#counters.errors,
      coldStarts: this.#counters.coldStarts,
      restarts: 0,
      ...(this.#provisioned ? { provisioned: this.#provisioned } : {}),
    };
  }

  /** Stops taking new work: idle workers stop now, busy ones after their invocation and the queue. */
  retire(): void {
    this.#retired = true;
    this.#provisioned = 0;
    this.#unregister();
    for (const slot of [...this.#slots.values()]) {
      if (slot.leases === 0) this.#stopWorker(slot, "retired");
    }
  }

  /** Kills every worker and fails every queued invocation; resolves once every worker has exited. */
  async stop(): Promise<void> {
    this.#retired = true;
    this.#provisioned = 0;
    this.#unregister();
    clearTimeout(this.#pumpTimer);
    for (const waiter of this.#waiters.splice(0)) {
      waiter.reject(new AgentUnavailableError("The agent is shutting down"));
    }
    const slots = [...this.#slots.values()];
    for (const slot of slots) this.#stopWorker(slot, "agent-stopping");
    await Promise.all(slots.map((slot) => slot.worker.exited));
  }

  /** {@inheritDoc AdmissionClient.idleSince} */
  idleSince(): number | null {
    let oldest: number | null = null;
    for (const slot of this.#slots.values()) {
      if (slot.idleSince !== null && !slot.provisioned && (oldest === null || slot.idleSince < oldest)) {
        oldest = slot.idleSince;
      }
    }
    return oldest;
  }

  /** {@inheritDoc AdmissionClient.evictIdle} */
  evictIdle(): boolean {
    let oldest: Slot | null = null;
    for (const slot of this.#slots.values()) {
      if (slot.idleSince === null || slot.provisioned) continue;
      if (!oldest || slot.idleSince < oldest.idleSince!) oldest = slot;
    }
    if (!oldest) return false;
    this.#stopWorker(oldest, "evicted");
    return true;
  }

  /** {@inheritDoc AdmissionClient.roomFreed} */
  roomFreed(): void {
    this.#pump();
  }

  #acquire(requestId: string): Promise<Lease> {
    const free = this.#takeFree();
    if (free) return Promise.resolve({ worker: free });
    const queueFull = this.#waiters.length >= this.#limits.maxQueue;
    if (this.size < this.#limits.maxInstances && (queueFull || this.#worthStarting(0))) {
      const admitted = this.#admit();
      if (admitted) return this.#start(requestId, admitted);
    }
    if (queueFull) throw throttled("ConcurrentInvocationLimitExceeded");
    const waiting = new Promise<Lease>((resolve, reject) =>
      this.#waiters.push({ requestId, since: performance.now(), resolve, reject })
    );
    this.#armPump();
    return waiting;
  }

  /** A worker with a free lease, leased: the most recently freed one. */
  #takeFree(): Worker | undefined {
    const worker = this.#free.at(-1);
    if (!worker) return undefined;
    const slot = this.#slots.get(worker)!;
    this.#lease(slot);
    return worker;
  }

  #lease(slot: Slot): void {
    slot.leases++;
    slot.idleSince = null;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    if (slot.leases >= slot.worker.maxConcurrency) {
      const index = this.#free.lastIndexOf(slot.worker);
      if (index !== -1) this.#free.splice(index, 1);
    }
  }

  /**
   * Whether a new worker is worth starting for the queue (with `extra` more callers): always when there is none or
   * fewer than {@linkcode unweighedWorkers}; past that, when the oldest caller has already waited a cold
   * start's time while a worker was ready, or when the queue, at the measured invocation time, would take longer
   * than a cold start to drain.
   */
  #worthStarting(extra: number): boolean {
    if (this.size === 0) return true;
    // workers that take several invocations at once: the leases they have spare (a starting one's first is its
    // starter's) will serve the queue as soon as they can
    const maxConcurrency = this.#maxConcurrency();
    let leased = 0;
    for (const slot of this.#slots.values()) leased += slot.leases;
    const spare = this.size * maxConcurrency - leased - this.#starting;
    if (this.#waiters.length + extra + 1 <= spare) return false;
    // up to unweighedWorkers, callers waiting are reason enough: each one more works in parallel for as long as the
    // load lasts, while its start is paid once
    if (this.size < unweighedWorkers(this.#deps.admission.cores)) return true;
    // past them, one more only helps workers that wait for I/O: ones that queue for the cores now would share the
    // same cores (and a busy device measures every invocation slower, which must not read as a reason for more).
    // Not known yet (the first look is the baseline): the next look, within a cold start's time, tells.
    if (this.#contended() !== false) return false;
    const coldStartMs = this.#estimates.coldStartMs;
    const oldest = this.#waiters[0];
    // only a wait while a worker was ready counts: workers still starting serve the queue once ready (a burst on a
    // cold function would otherwise start one more each cold start's time, the first start's time included)
    if (
      oldest && this.#slots.size > 0 &&
      performance.now() - Math.max(oldest.since, this.#readySince) >= coldStartMs
    ) {
      return true;
    }
    const durationMs = this.#estimates.durationMs;
    if (durationMs === undefined) return false;
    const leases = this.size * maxConcurrency;
    const waves = Math.ceil((this.#waiters.length + extra + 1) / leases);
    return waves * durationMs >= coldStartMs;
  }

  /** Whether the pool's workers have lately waited for a CPU (null: not known yet), from {@linkcode CpuContention}. */
  #contended(): boolean | null {
    return this.#contention.contended([...this.#slots.keys()].map((worker) => worker.workingPids()));
  }

  #admit(): Admitted | null {
    return this.#deps.admission.tryStart(this, this.#deps.workerBytes);
  }

  async #start(requestId: string, admitted: Admitted): Promise<Lease> {
    this.#starting++;
    this.#counters.coldStarts++;
    const started = await this.#launch(requestId, admitted, false);
    if ("result" in started || "error" in started) {
      this.#pump(); // the start failed: a queued invocation may start another
      if ("error" in started) throw started.error;
      return started;
    }
    this.#lease(started.slot);
    this.#serveWaiters(started.slot);
    return { worker: started.slot.worker };
  }

  /** Hands the spare leases of a worker that takes several invocations at once to the callers waiting. */
  #serveWaiters(slot: Slot): void {
    while (this.#waiters.length && slot.leases < slot.worker.maxConcurrency && slot.worker.state !== "dead") {
      this.#lease(slot);
      this.#waiters.shift()!.resolve({ worker: slot.worker });
    }
  }

  /** How many invocations one worker of this function takes at once. */
  #maxConcurrency(): number {
    return this.#slots.values().next().value?.worker.maxConcurrency ??
      this.#target.config.edge.maxConcurrency;
  }

  /** Starts one worker; its slot (not yet leased), or the result for the invocation that waited, or the error. */
  async #launch(
    requestId: string,
    admitted: Admitted,
    provisioned: boolean,
  ): Promise<{ slot: Slot } | { result: InvocationResult } | { error: unknown }> {
    const began = performance.now();
    let started;
    try {
      started = await Worker.start(this.#target, {
        ...this.#deps,
        startTimeoutMs: this.#limits.startTimeoutMs,
        requestId,
        ...(provisioned ? { initializationType: "provisioned-concurrency" as const } : {}),
      });
    } catch (error) {
      this.#starting--;
      admitted.release();
      return { error };
    }
    this.#starting--;
    if (!started.ok) {
      admitted.release();
      return { result: started.result };
    }
    this.#estimates.started(performance.now() - began);
    const { worker } = started;
    const slot: Slot = { worker, leases: 0, admitted, provisioned, idleSince: null, idleTimer: undefined };
    if (this.#slots.size === 0) this.#readySince = performance.now();
    this.#slots.set(worker, slot);
    this.#contended(); // a baseline of the CPU waits for the next decision
    if (worker.maxConcurrency > 1) this.#free.push(worker);
    void worker.exited.then(() => this.#forget(worker));
    // only now (the worker counted in the pool's size): the admission tells the pools of the freed start slot
    admitted.started();
    return { slot };
  }

  /** Starts one provisioned worker and keeps it idle; the error message when it could not start. */
  async #startProvisioned(): Promise<string | undefined> {
    this.#starting++;
    this.#provisionStarting++;
    const requestId = crypto.randomUUID();
    const launched = await this.#launch(requestId, this.#deps.admission.charge(this.#deps.workerBytes), true);
    this.#provisionStarting--;
    if ("error" in launched) {
      return launched.error instanceof Error ? launched.error.message : String(launched.error);
    }
    if ("result" in launched) {
      const { outcome } = launched.result;
      return new TextDecoder().decode(outcome.body) || "the worker did not start";
    }
    const { slot } = launched;
    if (this.#retired || this.#provisionedCount() > this.#provisioned) slot.provisioned = false;
    this.#idle(slot);
    return undefined;
  }

  #provisionedCount(): number {
    let count = 0;
    for (const slot of this.#slots.values()) if (slot.provisioned) count++;
    return count;
  }

  #release(worker: Worker): void {
    const slot = this.#slots.get(worker);
    if (!slot) return;
    slot.leases--;
    if (worker.state === "dead") {
      this.#forget(worker);
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      slot.leases++;
      waiter.resolve({ worker });
      this.#serveWaiters(slot);
      if (slot.leases < worker.maxConcurrency && !this.#free.includes(worker)) this.#free.push(worker);
      if (this.#waiters.length) this.#pump();
      return;
    }
    if (this.#retired && slot.leases === 0) {
      this.#stopWorker(slot, "retired");
      return;
    }
    if (!this.#free.includes(worker)) this.#free.push(worker);
    if (slot.leases === 0) this.#idle(slot);
  }

  /** Marks `slot` idle: free for work, and reaped after the idle timeout unless provisioned. */
  #idle(slot: Slot): void {
    this.#serveWaiters(slot);
    if (slot.leases < slot.worker.maxConcurrency && !this.#free.includes(slot.worker)) {
      this.#free.push(slot.worker);
    }
    if (slot.leases > 0) return;
    slot.idleSince = Date.now();
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    if (slot.provisioned) return;
    const timer = setTimeout(() => this.#stopWorker(slot, "idle-timeout"), this.#limits.idleTimeoutMs);
    timer.unref?.();
    slot.idleTimer = timer;
  }

  #stopWorker(slot: Slot, reason: WorkerStopReason): void {
    slot.provisioned = false;
    slot.worker.kill(reason);
    this.#forget(slot.worker);
  }

  #forget(worker: Worker): void {
    const slot = this.#slots.get(worker);
    if (!slot) return;
    this.#slots.delete(worker);
    clearTimeout(slot.idleTimer);
    const index = this.#free.indexOf(worker);
    if (index !== -1) this.#free.splice(index, 1);
    const replace = slot.provisioned && !this.#retired;
    slot.admitted.release(); // tells the admission, which tells the pools (this one too) of the room
    if (replace) void this.#startProvisioned();
    this.#pump();
  }

  /** Starts a worker for the oldest waiter when one is worth starting and the admission lets it. */
  #pump(): void {
    while (this.#waiters.length && this.size < this.#limits.maxInstances && !this.#retired) {
      if (!this.#worthStarting(-1)) break;
      const admitted = this.#admit();
      if (!admitted) break;
      const waiter = this.#waiters.shift()!;
      this.#start(waiter.requestId, admitted).then(waiter.resolve, waiter.reject);
    }
    this.#armPump();
  }

  /** While callers wait, looks again once the oldest has waited a cold start's time (no release may come sooner). */
  #armPump(): void {
    if (this.#pumpTimer !== undefined || this.#waiters.length === 0 || this.#retired) return;
    // past that, every cold start's time again: room may appear as other pools' workers go idle (no one says so)
    const coldStartMs = this.#estimates.coldStartMs;
    const waited = performance.now() - Math.max(this.#waiters[0]!.since, this.#readySince);
    const delay = waited < coldStartMs ? coldStartMs - waited : coldStartMs;
    this.#pumpTimer = setTimeout(() => {
      this.#pumpTimer = undefined;
      this.#pump();
    }, delay);
    this.#pumpTimer.unref?.();
  }
}
