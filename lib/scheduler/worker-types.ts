/** @module What a worker is started with, what it answers, and the error that says it went before its work. */
import type { InvocationOutcome } from "../runtime-api/mod.ts";
import type { WorkerLogEntry } from "../logs/mod.ts";
import type { RuntimeHost } from "../runtimes/mod.ts";
import type { Sandbox, SpawnPlan } from "../sandbox/mod.ts";
import type { InitializationType } from "./environment.ts";
import type { SchedulerObserver } from "./observer.ts";
import type { FunctionTarget } from "./target.ts";

/** Thrown by `Worker.invoke` when the worker died before it fetched the invocation: safe to retry. */
export class WorkerGoneError extends Error {
  constructor() {
    super("The worker exited before it fetched the invocation");
    this.name = "WorkerGoneError";
  }
}

/** Where a worker is in its life. */
export type WorkerState = "idle" | "busy" | "dead";

/** How one invocation ended, with its log. */
export interface InvocationResult {
  /** The worker's answer, or the platform error that replaced it. */
  outcome: InvocationOutcome;
  /**
   * The invocation's log, START to REPORT, when the request asked for it (`captureLog`); else "". Of the lines in
   * between, only those its 4 KB tail shows are kept.
   */
  log: string;
}

/** Options of `Worker.start`. */
export interface WorkerStartOptions {
  /** The runtimes of this host. */
  host: RuntimeHost;
  /** Starts the worker process. */
  sandbox: Sandbox;
  /** How the function's workers run here (mode, limits, user, mounts), planned once for its pool. */
  plan: SpawnPlan;
  /** Receives each line the worker writes to stdout or stderr, and each invocation's START, END and REPORT. */
  onLog(entry: WorkerLogEntry): void;
  /** How long the worker may take to ask for its first invocation, in ms. */
  startTimeoutMs: number;
  /** The request id that caused this start, named in platform error messages. */
  requestId: string;
  /** Credentials for the new worker (its function's allow-list of invocations), or null. @default none */
  grantCredentials?(target: FunctionTarget): WorkerGrant | null;
  /** Holds the worker's code from collection while its process lives; returns the release. @default none */
  holdCode?(sha256: string): () => void;
  /** Told of the worker's start, its spawn and each invocation it runs. @default none */
  observer?: SchedulerObserver;
  /** Why the worker starts: for an invocation, or ahead as provisioned concurrency. @default "on-demand" */
  initializationType?: InitializationType;
}

/** Credentials a worker starts with: environment variables, revoked when the worker exits. */
export interface WorkerGrant {
  /** `AWS_ACCESS_KEY_ID` and the rest, over the function's own variables. */
  env: Record<string, string>;
  /** Makes the credentials worthless. */
  revoke(): void;
}
