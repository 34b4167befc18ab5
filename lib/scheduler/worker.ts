/** @module One worker: a runtime process and its Runtime API, serving one invocation at a time. */
import {
  type InvocationOutcome,
  type InvocationRequest,
  platformError,
  type RuntimeApiServer,
} from "../runtime-api/mod.ts";
import type { WorkerLogEntry } from "../logs/mod.ts";
import type { RuntimeHost } from "../runtimes/mod.ts";
import {
  describeExit,
  type ExitStatus,
  type Sandbox,
  type SpawnPlan,
  type WorkerProcess,
} from "../sandbox/mod.ts";
import { formatInvocationLog } from "./invocation-log.ts";
import type { LineCapture } from "./log-capture.ts";
import type { SchedulerObserver } from "./observer.ts";
import type { FunctionTarget } from "./target.ts";
import { settleOutput, WorkerStartup } from "./worker-start.ts";

/** Thrown by {@linkcode Worker.invoke} when the worker died before it fetched the invocation: safe to retry. */
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

/** Options of {@linkcode Worker.start}. */
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
}

/** Credentials a worker starts with: environment variables, revoked when the worker exits. */
export interface WorkerGrant {
  /** `AWS_ACCESS_KEY_ID` and the rest, over the function's own variables. */
  env: Record<string, string>;
  /** Makes the credentials worthless. */
  revoke(): void;
}

/** The result of starting a worker: a ready worker, or the result to give the invocation that waited. */
export type WorkerStart = { ok: true; worker: Worker } | { ok: false; result: InvocationResult };

/** A started worker process with its own Runtime API server. */
export class Worker {
  /** The worker's current state. */
  state: WorkerState = "idle";
  readonly #target: FunctionTarget;
  readonly #process: WorkerProcess;
  readonly #api: RuntimeApiServer;
  readonly #exited: Promise<ExitStatus>;
  readonly #capture: LineCapture;
  #initDurationMs: number | undefined;
  #onExit: ((status: ExitStatus) => void) | null = null;
  #oomKills = 0;
  #observer: SchedulerObserver | undefined;
  #onLog: (entry: WorkerLogEntry) => void = () => {};

  private constructor(
    target: FunctionTarget,
    process: WorkerProcess,
    api: RuntimeApiServer,
    exited: Promise<ExitStatus>,
    capture: LineCapture,
    initDurationMs: number,
  ) {
    this.#target = target;
    this.#process = process;
    this.#api = api;
    this.#exited = exited;
    this.#capture = capture;
    this.#initDurationMs = initDurationMs;
  }

  /**
   * Starts a worker for `target` and waits until it asks for its first invocation: launches its runtime's command,
   * spawns it through the sandbox on the pool's plan, and awaits its readiness (or its failure, exit or timeout).
   */
  static async start(target: FunctionTarget, options: WorkerStartOptions): Promise<WorkerStart> {
    options.observer?.workerStarting(target);
    const startup = new WorkerStartup(target, options);
    const launch = await startup.launch();
    if (!launch.ok) return { ok: false, result: await startup.failure(launch.outcome) };
    const spawned = startup.spawn(launch.value);
    if (!spawned.ok) return { ok: false, result: await startup.failure(spawned.outcome) };
    const failed = await startup.ready(spawned.value);
    if (failed) return { ok: false, result: await startup.failure(failed) };
    const { capture } = startup;
    capture.keep = false; // until an invocation asks for its log: a pinned worker may log for hours unasked
    capture.take();
    const { process, exited } = spawned.value;
    const worker = new Worker(target, process, startup.api, exited, capture, startup.elapsedMs);
    worker.#observer = options.observer;
    worker.#onLog = options.onLog;
    options.observer?.workerReady(target, startup.elapsedMs);
    void exited.then((status) => {
      worker.state = "dead";
      worker.#onExit?.(status);
    });
    return { ok: true, worker };
  }

  /** Resolves when the worker's process has exited. */
  get exited(): Promise<ExitStatus> {
    return this.#exited;
  }

  /**
   * Runs one invocation to its end (its deadline counts from now): an answer, a crash, or its deadline. A response
   * the worker streams goes to `request.onResponseStream` as it arrives; the invocation ends when it has ended.
   */
  async invoke(request: InvocationRequest): Promise<InvocationResult> {
    this.state = "busy";
    const { requestId } = request;
    const timeoutSeconds = this.#target.config.timeout;
    const started = performance.now();
    const invocation = { ...request, deadlineMs: Date.now() + timeoutSeconds * 1000 };
    this.#capture.keep = request.captureLog === true;
    this.#capture.take();
    this.#capture.requestId = requestId;
    this.#onLog({ kind: "start", requestId, version: this.#target.version });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let expired = false;
    const timedOut = new Promise<InvocationOutcome>((resolve) => {
      timer = setTimeout(() => {
        expired = true;
        this.kill();
        resolve(platformError(
          "Sandbox.Timedout",
          `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
        ));
      }, timeoutSeconds * 1000);
    });
    const crashed = new Promise<InvocationOutcome>((resolve, reject) => {
      this.#onExit = (status) => {
        if (!this.#api.fetched) reject(new WorkerGoneError());
        else {
          resolve(platformError(
            this.#process.oomKills() > this.#oomKills ? "Runtime.OutOfMemory" : "Runtime.ExitError",
            `RequestId: ${requestId} Error: Runtime exited with error: ${describeExit(status)}`,
          ));
        }
      };
    });
    let outcome: InvocationOutcome;
    try {
      outcome = await Promise.race([
        this.#api.deliver(invocation, request.onResponseStream),
        crashed,
        timedOut,
      ]);
    } finally {
      clearTimeout(timer);
      this.#onExit = null;
    }
    // the OOM killer may take a child of the runtime rather than the runtime: as on Lambda, the sandbox goes
    const oomKills = this.#process.oomKills();
    if (oomKills > this.#oomKills && (this.state as WorkerState) !== "dead") {
      this.kill();
      outcome = platformError(
        "Runtime.OutOfMemory",
        `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
      );
    }
    this.#oomKills = oomKills;
    const durationMs = performance.now() - started;
    this.#observer?.ran(this.#target, durationMs);
    // the lines the worker wrote before its answer reach the stored log before END
    await settleOutput();
    const peak = this.#process.peakMemoryBytes();
    const report = {
      requestId,
      durationMs,
      memorySizeMb: this.#target.config.memorySize,
      maxMemoryUsedMb: peak === null ? null : Math.ceil(peak / 1024 / 1024),
      ...(this.#initDurationMs === undefined ? {} : { initDurationMs: this.#initDurationMs }),
    };
    const log = request.captureLog
      ? formatInvocationLog({ ...report, version: this.#target.version, lines: this.#capture.take() })
      : "";
    this.#onLog({ kind: "end", requestId });
    const status = expired ? "timeout" : outcome.kind === "error" ? "error" : "success";
    this.#onLog({ kind: "report", report: { ...report, status } });
    this.#capture.requestId = null;
    this.#initDurationMs = undefined;
    this.#capture.keep = false;
    this.#capture.take();
    if (this.state === "busy") this.state = "idle";
    return { outcome, log };
  }

  /** Kills the worker and all its children, and closes its Runtime API. */
  kill(): void {
    this.state = "dead";
    this.#process.kill();
    this.#api.close();
  }
}
