/** @module One worker: a runtime process and its Runtime API, serving one invocation at a time or several at once. */
import {
  type ExtensionsApi,
  type InvocationOutcome,
  type InvocationRequest,
  platformError,
  type RuntimeApiServer,
  type ShutdownReason,
} from "../runtime-api/mod.ts";
import type { WorkerLogEntry } from "../logs/mod.ts";
import { describeExit, type ExitStatus, type WorkerProcess } from "../sandbox/mod.ts";
import { formatInvocationLog } from "./invocation-log.ts";
import { type LineCapture, settleCapture } from "./log-capture.ts";
import type { SchedulerObserver, WorkerStopReason } from "./observer.ts";
import type { FunctionTarget } from "./target.ts";
import { reportRecord, runtimeDoneRecord, startRecord, type TelemetryStatus } from "./telemetry-records.ts";
import { WorkerStartup } from "./worker-start.ts";
import {
  type InvocationResult,
  WorkerGoneError,
  type WorkerStartOptions,
  type WorkerState,
} from "./worker-types.ts";

/** How old the peak memory a stored REPORT shows may be, in ms: reading it costs the kernel a stats flush. */
const PEAK_MAX_AGE_MS = 1000;

/** How long extensions subscribed to SHUTDOWN may take to finish once the worker is to go, as on Lambda. */
export const SHUTDOWN_GRACE_MS = 2000;

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
  /** What each invocation in flight does when the process exits, by request id. */
  readonly #onExit = new Map<string, (status: ExitStatus) => void>();
  /** The invocation whose deadline killed the worker, named to the others then in flight. */
  #timedOut: string | null = null;
  #oomKills = 0;
  #observer: SchedulerObserver | undefined;
  #onLog: (entry: WorkerLogEntry) => void = () => {};
  #stopReason: WorkerStopReason | null = null;
  /** An extension's process ended after init: the worker goes once its invocation is over. */
  #extensionGone = false;
  #shuttingDown = false;
  /** The END and REPORT of the last invocation, when its caller did not wait for them, until they are written. */
  #finishing: Promise<void> | null = null;

  private constructor(
    target: FunctionTarget,
    process: WorkerProcess,
    api: RuntimeApiServer,
    exited: Promise<ExitStatus>,
    capture: LineCapture,
    initDurationMs: number | undefined,
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
    // as on Lambda, a provisioned environment's init is not billed to its first invocation: no Init Duration in REPORT
    const initDurationMs = options.initializationType === "provisioned-concurrency"
      ? undefined
      : startup.elapsedMs;
    const worker = new Worker(target, process, startup.api, exited, capture, initDurationMs);
    worker.#observer = options.observer;
    worker.#onLog = options.onLog;
    startup.onExtensionExit = () => {
      if (worker.state === "idle") worker.kill("crashed");
      else worker.#extensionGone = true;
    };
    options.observer?.workerReady(target, startup.elapsedMs);
    void exited.then((status) => {
      worker.state = "dead";
      for (const onExit of worker.#onExit.values()) onExit(status);
      // not killed by the agent: it exited on its own, or the kernel took it at its memory limit
      const reason = worker.#stopReason ?? (process.oomKills() > 0 ? "out-of-memory" : "crashed");
      options.observer?.workerStopped?.(target, { reason, exit: describeExit(status) });
    });
    return { ok: true, worker };
  }

  /** How many invocations the worker may run at once (1 unless its function opts in to more: `Edge.maxConcurrency`). */
  get maxConcurrency(): number {
    return this.#target.config.edge.maxConcurrency ?? 1;
  }

  /** Invocations the worker is running now. */
  get inFlight(): number {
    return this.#onExit.size;
  }

  /** The pids that run the worker's code (its cgroup's, else its leader's): what the pool watches for CPU waits. */
  workingPids(): Iterable<number> {
    return this.#process.workingPids();
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
    if (this.state === "dead") throw new WorkerGoneError();
    this.state = "busy";
    if (this.#finishing) {
      // the last invocation's END and REPORT, which its caller did not wait for, come before this START
      await this.#finishing;
      if ((this.state as WorkerState) === "dead") throw new WorkerGoneError();
    }
    const { requestId } = request;
    const concurrent = this.maxConcurrency > 1;
    const timeoutSeconds = this.#target.config.timeout;
    const started = performance.now();
    const invocation = { ...request, deadlineMs: Date.now() + timeoutSeconds * 1000 };
    if (concurrent) this.#capture.begin(requestId, request.captureLog === true);
    else {
      this.#capture.keep = request.captureLog === true;
      this.#capture.take();
      this.#capture.requestId = requestId;
    }
    // the first invocation reports the worker's init (the first to begin, with several at once)
    const initDurationMs = this.#initDurationMs;
    this.#initDurationMs = undefined;
    this.#onLog({ kind: "start", requestId, version: this.#target.version });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let expired = false;
    const timedOut = new Promise<InvocationOutcome>((resolve) => {
      timer = setTimeout(() => {
        // another invocation's deadline came first and took the worker: that is why this one ends
        const stopped = this.#stoppedBy(requestId);
        if (stopped) return resolve(stopped);
        expired = true;
        this.#timedOut ??= requestId;
        this.kill("timeout");
        resolve(platformError(
          "Sandbox.Timedout",
          `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
        ));
      }, timeoutSeconds * 1000);
    });
    const crashed = new Promise<InvocationOutcome>((resolve, reject) => {
      this.#onExit.set(requestId, (status) => {
        if (!this.#api.isFetched(requestId)) reject(new WorkerGoneError());
        else resolve(this.#exitOutcome(requestId, status));
      });
    });
    const extensions = this.#api.extensions;
    if (extensions?.telemetry.active) {
      extensions.telemetry.emit(...startRecord(requestId, this.#target.version, request.traceId));
    }
    let outcome: InvocationOutcome;
    try {
      outcome = await Promise.race([
        this.#api.deliver(invocation, request.onResponseStream),
        crashed,
        timedOut,
      ]);
      if (extensions) {
        await this.#extensionsDone(extensions, request, { outcome, expired, started }, [crashed, timedOut]);
      }
    } catch (error) {
      if (concurrent) this.#capture.end(requestId);
      throw error;
    } finally {
      clearTimeout(timer);
      this.#onExit.delete(requestId);
    }
    // the OOM killer may take a child of the runtime rather than the runtime: as on Lambda, the sandbox goes
    const oomKills = this.#process.oomKills();
    if (oomKills > this.#oomKills && (this.state as WorkerState) !== "dead") {
      this.kill("out-of-memory");
      outcome = platformError(
        "Runtime.OutOfMemory",
        `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
      );
    }
    this.#oomKills = oomKills;
    const durationMs = performance.now() - started;
    this.#observer?.ran(this.#target, durationMs);
    const finish = async (): Promise<string> => {
      // the lines the worker wrote before its answer reach the stored log before END
      await settleCapture(this.#capture);
      // the caller sees a Tail's REPORT: read now; a stored one may show the peak read within the last second
      const peak = this.#process.peakMemoryBytes(request.captureLog ? 0 : PEAK_MAX_AGE_MS);
      const report = {
        requestId,
        durationMs,
        memorySizeMb: this.#target.config.memorySize,
        maxMemoryUsedMb: peak === null ? null : Math.ceil(peak / 1024 / 1024),
        ...(initDurationMs === undefined ? {} : { initDurationMs }),
      };
      const lines = concurrent ? this.#capture.end(requestId) : this.#capture.take();
      const log = request.captureLog
        ? formatInvocationLog({ ...report, version: this.#target.version, lines })
        : "";
      this.#onLog({ kind: "end", requestId });
      const status = expired ? "timeout" : outcome.kind === "error" ? "error" : "success";
      this.#onLog({ kind: "report", report: { ...report, status } });
      if (extensions?.telemetry.active) {
        const errorType = outcome.kind === "error" ? outcome.errorType : undefined;
        extensions.telemetry.emit(...reportRecord(requestId, status, report, request.traceId, errorType));
      }
      if (!concurrent) {
        this.#capture.requestId = null;
        this.#capture.keep = false;
      }
      return log;
    };
    // a caller that wants no log tail gets its answer now; END and REPORT (and the peak memory read) follow, and
    // come before the worker's next START (see the top of invoke)
    const deferred = !concurrent && !request.captureLog && !extensions;
    const log = deferred ? "" : await finish();
    if (deferred) {
      const finishing: Promise<void> = finish().then(
        () => {
          if (this.#finishing === finishing) this.#finishing = null;
        },
        () => {
          if (this.#finishing === finishing) this.#finishing = null;
        },
      );
      this.#finishing = finishing;
    }
    if (this.state === "busy" && this.#onExit.size === 0) this.state = "idle";
    if (this.#extensionGone && this.state === "idle") this.kill("crashed");
    return { outcome, log };
  }

  /** The outcome of `requestId` when another invocation's deadline took the worker; else null. */
  #stoppedBy(requestId: string): InvocationOutcome | null {
    const culprit = this.#timedOut;
    if (culprit === null || culprit === requestId) return null;
    const seconds = this.#target.config.timeout.toFixed(2);
    return platformError(
      "Runtime.ExitError",
      `RequestId: ${requestId} Error: The worker was stopped because invocation ${culprit} running in it at the same time timed out after ${seconds} seconds (Edge.maxConcurrency ${this.maxConcurrency})`,
    );
  }

  /**
   * The outcome of invocation `requestId`, fetched and unanswered when the process exited: its memory limit, its
   * exit, or (with several at once) the deadline of another invocation, which took the worker and all it ran.
   */
  #exitOutcome(requestId: string, status: ExitStatus): InvocationOutcome {
    if (this.#process.oomKills() > this.#oomKills) {
      return platformError(
        "Runtime.OutOfMemory",
        `RequestId: ${requestId} Error: Runtime exited with error: ${describeExit(status)}`,
      );
    }
    return this.#stoppedBy(requestId) ?? platformError(
      "Runtime.ExitError",
      `RequestId: ${requestId} Error: Runtime exited with error: ${describeExit(status)}`,
    );
  }

  /**
   * With extensions, the invocation ends once the runtime has answered and every extension has called `next`
   * again, within the invocation's deadline (a crash or the deadline ends the wait; the runtime's answer stands).
   */
  async #extensionsDone(
    extensions: ExtensionsApi,
    { requestId, traceId }: InvocationRequest,
    { outcome, expired, started }: { outcome: InvocationOutcome; expired: boolean; started: number },
    ends: Promise<unknown>[],
  ): Promise<void> {
    const status: TelemetryStatus = expired ? "timeout" : outcome.kind === "error" ? "error" : "success";
    if (extensions.telemetry.active) {
      const metrics = { durationMs: performance.now() - started, producedBytes: outcome.body.byteLength };
      const errorType = outcome.kind === "error" ? outcome.errorType : undefined;
      extensions.telemetry.emit(...runtimeDoneRecord(requestId, status, metrics, traceId, errorType));
    }
    if (expired || this.state === "dead") return;
    await Promise.race([extensions.settled(), ...ends.map((end) => end.catch(() => undefined))]);
  }

  /**
   * Kills the worker and all its children, and closes its Runtime API. `reason` is what the observer is told once
   * the process has exited (the first reason given wins; none for a worker that already ended on its own).
   */
  kill(reason?: WorkerStopReason): void {
    const alive = this.state !== "dead";
    if (alive) this.#stopReason ??= reason ?? null;
    this.state = "dead";
    if (this.#shuttingDown) return; // it goes at the end of the extensions' grace
    const extensions = this.#api.extensions;
    if (alive && extensions?.wantsShutdown) {
      this.#shuttingDown = true;
      void this.#shutdown(extensions, reason);
      return;
    }
    this.#process.kill();
    this.#api.close();
  }

  /**
   * Lambda's SHUTDOWN phase: the telemetry queued so far is delivered, then extensions subscribed to SHUTDOWN get
   * it and have until {@linkcode SHUTDOWN_GRACE_MS} (all of it) to exit; then the worker is killed.
   */
  async #shutdown(extensions: ExtensionsApi, reason: WorkerStopReason | undefined): Promise<void> {
    const deadlineMs = Date.now() + SHUTDOWN_GRACE_MS;
    const shutdownReason: ShutdownReason = reason === "timeout"
      ? "timeout"
      : reason === "crashed" || reason === "out-of-memory"
      ? "failure"
      : "spindown";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
    });
    const phase = async () => {
      await extensions.telemetry.drain(SHUTDOWN_GRACE_MS / 2);
      await extensions.shutdown(shutdownReason, deadlineMs);
    };
    await Promise.race([phase(), grace, this.#exited]);
    clearTimeout(timer);
    this.#process.kill();
    this.#api.close();
  }
}
