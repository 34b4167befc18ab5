/** @module Routes each invocation to the pool of its function version, and owns every pool. */
import { AgentUnavailableError, LambdaError } from "../errors/mod.ts";
import type { WorkerLogEntry } from "../logs/mod.ts";
import type { InvocationRequest } from "../runtime-api/mod.ts";
import type { RuntimeHost } from "../runtimes/mod.ts";
import type { Sandbox, SpawnPlan } from "../sandbox/mod.ts";
import { Admission, type AdmissionOptions, type AdmissionStatus, expectedWorkerBytes } from "./admission.ts";
import { OnDemandPool, type ProvisionResult } from "./on-demand-pool.ts";
import { PinnedPool } from "./pinned-pool.ts";
import {
  type FunctionPool,
  type PoolDeps,
  type PoolLimits,
  type PoolStatus,
  throttled,
} from "./pool-types.ts";
import type { SchedulerObserver } from "./observer.ts";
import { type StreamedInvocation, streamedInvocation } from "./streamed-invocation.ts";
import { type FunctionTarget, holdTargetCode } from "./target.ts";
import type { InvocationResult, WorkerGrant } from "./worker-types.ts";

/** Options of {@linkcode Scheduler}. */
export interface SchedulerOptions {
  /** The runtimes of this host. */
  host: RuntimeHost;
  /** Plans how each function version's workers run (once per pool) and starts them. */
  sandbox: Sandbox;
  /** Receives each line a worker writes and each invocation's START, END and REPORT, with the function's version. */
  onLog?(target: FunctionTarget, entry: WorkerLogEntry): void;
  /** Restart backoff of pinned workers, in ms. @default { initialMs: 1000, maxMs: 60000 } */
  restartBackoff?: { initialMs: number; maxMs: number };
  /** Credentials for a new worker of `target` (an execution role's), or null for none. @default none */
  grantCredentials?(target: FunctionTarget): WorkerGrant | null;
  /**
   * Holds code (by hex SHA-256) from collection while an invocation or a worker process uses it; returns the
   * release. @default none
   */
  holdCode?(sha256: string): () => void;
  /** Told of every invocation's end, throttle, worker start, run and exit, and pinned restart. @default none */
  observer?: SchedulerObserver;
  /** The memory budget of all workers and the starts at once per core. @default see {@linkcode Admission} */
  admission?: AdmissionOptions;
}

/** One function version's pool, as `lambdalet status` lists it. */
export interface VersionStatus extends PoolStatus {
  /** The function's name. */
  functionName: string;
  /** `$LATEST` or a version number. */
  version: string;
}

/** The pool limits a function's Greengrass settings ask for. */
export function poolLimits(target: FunctionTarget): PoolLimits {
  const { edge } = target.config;
  return {
    maxInstances: edge.maxInstancesCount,
    maxQueue: edge.maxQueueSize,
    idleTimeoutMs: edge.maxIdleTimeInSeconds * 1000,
    startTimeoutMs: edge.statusTimeoutInSeconds * 1000,
  };
}

interface PoolEntry {
  revisionId: string;
  target: FunctionTarget;
  plan: SpawnPlan;
  pool: FunctionPool;
}

/** How a plan's workers are isolated, as status shows it: the mode, the fallback and why, or why none can run. */
function isolationOf(plan: SpawnPlan): string {
  if (plan.refusal) return `unavailable: ${plan.refusal.message}`;
  return plan.fallbackReason ? `NoContainer (fallback: ${plan.fallbackReason})` : plan.mode;
}

/** Owns one pool per function version (on-demand or pinned); a changed revision retires the old pool. */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #pools = new Map<string, PoolEntry>();
  readonly #running = new Map<string, number>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #admission: Admission;
  #draining = false;
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#admission = new Admission(options.admission);
  }

  /** The workers' memory budget and what is spent of it, and the starts under way. */
  admission(): AdmissionStatus {
    return this.#admission.status();
  }

  /**
   * Keeps `count` workers of `target` (a published version) started ahead as provisioned concurrency: not reaped
   * for idleness, replaced when they die, started with `AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency`;
   * 0 lets them go. Resolves once they have started, with how many are ready and why fewer, if so.
   */
  async provision(target: FunctionTarget, count: number): Promise<ProvisionResult> {
    if (this.#stopped) return { ready: 0, error: "The agent is stopping" };
    if (target.config.edge.pinned) {
      return { ready: 0, error: "A pinned function keeps its one worker started already" };
    }
    const pool = this.#poolFor(target);
    if (!(pool instanceof OnDemandPool)) return { ready: 0, error: "Not an on-demand function" };
    if (count > 0) {
      const needed = expectedWorkerBytes(target.config.runtime, target.config.memorySize) * count;
      if (!this.#admission.fits(needed)) {
        const budgetMb = Math.floor(this.#admission.status().budgetBytes / 1024 / 1024);
        return {
          ready: 0,
          error:
            `${count} workers of ${target.config.memorySize} MB do not fit the agent's worker memory budget ` +
            `(${budgetMb} MB, admission.memoryBudgetMb) beside the workers it has`,
        };
      }
    }
    return await pool.provision(count);
  }

  /** Runs one invocation of `target` and resolves with how it ended. */
  invoke(target: FunctionTarget, request: InvocationRequest): Promise<InvocationResult> {
    if (this.#draining || this.#stopped) {
      throw new AgentUnavailableError("The agent is shutting down: try again once it is back");
    }
    const name = target.config.functionName;
    const running = this.#running.get(name) ?? 0;
    const observer = this.#options.observer;
    if (target.reservedConcurrency !== undefined && running >= target.reservedConcurrency) {
      observer?.throttled(target, "reserved-concurrency");
      throw throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
    }
    this.#running.set(name, running + 1);
    const pool = this.#poolFor(target);
    // held while queued too: a retired pool may still start a worker on this code for it
    const releaseCode = holdTargetCode(this.#options, target);
    // a pool may refuse at once (throw): the count must come down on every path
    const started = Promise.resolve().then(() => pool.invoke(request));
    const invoked = observer
      ? started.then(
        (result) => observed(observer, target, result),
        (error) => unobserved(observer, target, error),
      )
      : started;
    const work = invoked.finally(() => {
      releaseCode?.();
      const left = (this.#running.get(name) ?? 1) - 1;
      if (left) this.#running.set(name, left);
      else this.#running.delete(name);
      this.#inFlight.delete(work);
    });
    this.#inFlight.add(work);
    return work;
  }

  /**
   * Runs one invocation of `target` and resolves as soon as its answer starts: the response stream once the worker
   * streams (its completion follows), or the whole result of a worker that answers at once. Same limits as
   * {@linkcode invoke}; the worker stays busy (and the deadline runs) until the stream has ended.
   */
  invokeStream(target: FunctionTarget, request: InvocationRequest): Promise<StreamedInvocation> {
    return streamedInvocation((streaming) => this.invoke(target, streaming), request);
  }

  /** Makes sure a pinned function version has its worker, starting it now; resolves when that start ends. */
  async ensureStarted(target: FunctionTarget): Promise<PoolStatus["state"]> {
    if (!target.config.edge.pinned || this.#stopped) return "ready";
    const pool = this.#poolFor(target);
    return pool instanceof PinnedPool ? await pool.started : "ready";
  }

  /** Retires the pools of a function (all versions, or one): their workers stop after their current work. */
  retire(functionName: string, version?: string): void {
    for (const [key, entry] of this.#pools) {
      if (entry.target.config.functionName !== functionName) continue;
      if (version !== undefined && entry.target.version !== version) continue;
      entry.pool.retire();
      this.#pools.delete(key);
    }
  }

  /** What every pool is doing, by function and version. */
  status(): VersionStatus[] {
    return [...this.#pools.values()]
      .map((entry) => ({
        functionName: entry.target.config.functionName,
        version: entry.target.version,
        ...entry.pool.status(),
        isolation: isolationOf(entry.plan),
      }))
      .sort((a, b) => a.functionName.localeCompare(b.functionName) || a.version.localeCompare(b.version));
  }

  /** The status of one function version's pool, when it has one. */
  statusOf(functionName: string, version: string): PoolStatus | undefined {
    const entry = this.#pools.get(poolKey(functionName, version));
    return entry ? { ...entry.pool.status(), isolation: isolationOf(entry.plan) } : undefined;
  }

  /** Refuses new invocations (503) and waits for the running ones to end (each is bounded by its deadline). */
  async drain(): Promise<void> {
    this.#draining = true;
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  /** Kills every worker and waits for them to exit; later invocations are refused. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map(({ pool }) => pool.stop()));
  }

  #poolFor(target: FunctionTarget): FunctionPool {
    const key = poolKey(target.config.functionName, target.version);
    const existing = this.#pools.get(key);
    if (existing && existing.revisionId === target.config.revisionId) return existing.pool;
    existing?.pool.retire();
    const onLog = this.#options.onLog;
    const plan = this.#options.sandbox.plan(target.config, target.uid);
    const deps: PoolDeps = {
      host: this.#options.host,
      sandbox: this.#options.sandbox,
      plan,
      onLog: onLog ? (entry: WorkerLogEntry) => onLog(target, entry) : () => {},
      restartBackoff: this.#options.restartBackoff ?? { initialMs: 1000, maxMs: 60_000 },
      grantCredentials: this.#options.grantCredentials ?? (() => null),
      ...(this.#options.holdCode ? { holdCode: this.#options.holdCode } : {}),
      ...(this.#options.observer ? { observer: this.#options.observer } : {}),
      admission: this.#admission,
      workerBytes: expectedWorkerBytes(target.config.runtime, target.config.memorySize),
    };
    const limits = poolLimits(target);
    const pool = target.config.edge.pinned
      ? new PinnedPool(target, deps, limits)
      : new OnDemandPool(target, deps, limits);
    this.#pools.set(key, { revisionId: target.config.revisionId, target, plan, pool });
    return pool;
  }
}

/** Tells `observer` of an invocation's end, and hands its result on. */
function observed(
  observer: SchedulerObserver,
  target: FunctionTarget,
  result: InvocationResult,
): InvocationResult {
  observer.invoked(target, result);
  return result;
}

/** Tells `observer` of a pool's throttle (its queue is full), and hands every failure on. */
function unobserved(observer: SchedulerObserver, target: FunctionTarget, error: unknown): never {
  if (error instanceof LambdaError && error.type === "TooManyRequestsException") {
    observer.throttled(target, "queue-full");
  }
  throw error;
}

function poolKey(functionName: string, version: string): string {
  return `${functionName}\0${version}`;
}
