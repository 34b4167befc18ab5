/** @module What every pool of a function version shares: limits, dependencies, status and counters. */
import { LambdaError } from "../errors/mod.ts";
import type { WorkerLogEntry } from "../logs/mod.ts";
import type { InvocationRequest } from "../runtime-api/mod.ts";
import type { RuntimeHost } from "../runtimes/mod.ts";
import type { Sandbox, SpawnPlan } from "../sandbox/mod.ts";
import type { Admission } from "./admission.ts";
import type { SchedulerObserver } from "./observer.ts";
import type { FunctionTarget } from "./target.ts";
import type { InvocationResult, WorkerGrant } from "./worker-types.ts";

/** Limits of one pool, in Greengrass's terms. */
export interface PoolLimits {
  /** Workers that may run at once (`maxInstancesCount`). */
  maxInstances: number;
  /** Invocations that may wait for a worker (`maxQueueSize`). */
  maxQueue: number;
  /** How long an idle worker is kept warm, in ms (`maxIdleTimeInSeconds`). */
  idleTimeoutMs: number;
  /** How long a starting worker may take to ask for work, in ms (`statusTimeoutInSeconds`). */
  startTimeoutMs: number;
}

/** What a pool needs from its owner. */
export interface PoolDeps {
  /** The runtimes of this host. */
  host: RuntimeHost;
  /** Starts workers. */
  sandbox: Sandbox;
  /** How this pool's workers run (mode, limits, user, mounts, or why they cannot), planned once for the pool. */
  plan: SpawnPlan;
  /** Receives each line a worker of this pool writes, and each invocation's START, END and REPORT. */
  onLog(entry: WorkerLogEntry): void;
  /** Restart backoff of pinned workers, in ms: first delay and cap. */
  restartBackoff: { initialMs: number; maxMs: number };
  /** Credentials for a new worker of this pool's function, or null. */
  grantCredentials(target: FunctionTarget): WorkerGrant | null;
  /** Holds a worker's code (by hex SHA-256) from collection until its process exits; returns the release. */
  holdCode?(sha256: string): () => void;
  /** Told of workers' starts, runs and exits, and of pinned restarts. */
  observer?: SchedulerObserver;
  /** The agent-wide admission of new workers (memory budget, starts at once). */
  admission: Admission;
  /** What one worker of this pool is charged of the memory budget, in bytes. */
  workerBytes: number;
}

/** What a pool reports about itself. */
export interface PoolStatus {
  /** `on-demand` or `pinned`. */
  lifecycle: "on-demand" | "pinned";
  /** `ready`; for pinned workers also `starting`, `error` (waiting to restart) or `stopped`. */
  state: "ready" | "starting" | "error" | "stopped";
  /** Workers by state. */
  workers: { starting: number; idle: number; busy: number };
  /** Invocations waiting for a worker. */
  queueDepth: number;
  /** Invocations finished. */
  invocations: number;
  /** Invocations that ended with a function error. */
  errors: number;
  /** Workers started. */
  coldStarts: number;
  /** Restarts of a pinned worker after it failed. */
  restarts: number;
  /** The last failure of a pinned worker, while it is in the error state. */
  lastError?: string;
  /** Workers kept started ahead as provisioned concurrency, when asked for. */
  provisioned?: number;
  /** How workers are isolated: `GreengrassContainer`, or `NoContainer` (with the fallback's reason if any). */
  isolation?: string;
}

/** A pool of workers for one function version. */
export interface FunctionPool {
  /** Runs one invocation. */
  invoke(request: InvocationRequest): Promise<InvocationResult>;
  /** Stops taking work: idle workers stop now, busy ones after their invocation. */
  retire(): void;
  /** Kills every worker, fails queued invocations, and resolves once the workers have exited. */
  stop(): Promise<void>;
  /** What the pool is doing. */
  status(): PoolStatus;
}

/** Lambda's 429 for a caller refused for lack of capacity, with the reason Lambda names. */
export function throttled(
  reason: "ConcurrentInvocationLimitExceeded" | "ReservedFunctionConcurrentInvocationLimitExceeded",
): LambdaError {
  return new LambdaError("TooManyRequestsException", "Rate Exceeded.", {
    body: { Reason: reason },
    headers: { "Retry-After": "1" },
  });
}

/** Counts a pool's invocations, errors and cold starts. */
export class PoolCounters {
  invocations = 0;
  errors = 0;
  coldStarts = 0;

  /** Records a finished invocation. */
  record(result: InvocationResult): InvocationResult {
    this.invocations++;
    if (result.outcome.kind === "error") this.errors++;
    return result;
  }
}
