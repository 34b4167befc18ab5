/** @module One worker: a runtime process and its Runtime API, serving one invocation at a time. */
import {
  type InvocationOutcome,
  type InvocationRequest,
  platformError,
  RuntimeApiServer,
} from "../runtime-api/mod.ts";
import { EntrypointError, type LaunchCommand, type RuntimeHost } from "../runtimes/mod.ts";
import { containerMemoryKb } from "../config/mod.ts";
import {
  describeExit,
  type ExitStatus,
  IsolationUnavailableError,
  type Sandbox,
  type WorkerProcess,
} from "../sandbox/mod.ts";
import { logStreamName, workerEnvironment } from "./environment.ts";
import { formatInvocationLog } from "./invocation-log.ts";
import { LineCapture } from "./log-capture.ts";
import { forwardLines } from "./log-lines.ts";
import type { FunctionTarget } from "./target.ts";

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
  /** Starts the worker process in the function's container mode. */
  sandbox: Sandbox;
  /** Receives each line the worker writes to stdout or stderr. */
  onLog(line: string): void;
  /** How long the worker may take to ask for its first invocation, in ms. */
  startTimeoutMs: number;
  /** The request id that caused this start, named in platform error messages. */
  requestId: string;
  /** Credentials for the new worker (its function's allow-list of invocations), or null. @default none */
  grantCredentials?(target: FunctionTarget): WorkerGrant | null;
  /** Holds the worker's code from collection while its process lives; returns the release. @default none */
  holdCode?(sha256: string): () => void;
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

type StartSignal = { ready: true } | { ready: false; outcome: InvocationOutcome };

/** Lets output already written by the worker reach its line capture before the log is cut. */
function settleOutput(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

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

  /** Starts a worker for `target` and waits until it asks for its first invocation. */
  static async start(target: FunctionTarget, options: WorkerStartOptions): Promise<WorkerStart> {
    const started = performance.now();
    const capture = new LineCapture(options.onLog);
    let settle: (signal: StartSignal) => void = () => {};
    const settled = new Promise<StartSignal>((resolve) => {
      settle = resolve;
    });
    const api = new RuntimeApiServer({
      onReady: () => settle({ ready: true }),
      onInitError: (outcome) => settle({ ready: false, outcome }),
      warn: (line) => console.warn(`[${target.config.functionName}:${target.version}] ${line}`),
    });
    const fail = async (outcome: InvocationOutcome): Promise<WorkerStart> => {
      await settleOutput();
      const log = formatInvocationLog({
        requestId: options.requestId,
        version: target.version,
        lines: capture.take(),
        durationMs: performance.now() - started,
        memorySizeMb: target.config.memorySize,
        maxMemoryUsedMb: null,
      });
      return { ok: false, result: { outcome, log } };
    };
    let launch: LaunchCommand;
    try {
      launch = await options.host.launch(target.config.runtime, target.codeDir);
    } catch (error) {
      api.close();
      if (!(error instanceof EntrypointError)) throw error;
      return await fail(
        platformError(error.errorType, `RequestId: ${options.requestId} Error: ${error.message}`),
      );
    }
    let process: WorkerProcess;
    const { config } = target;
    const grant = options.grantCredentials?.(target) ?? null;
    try {
      const decision = options.sandbox.decide(config.edge.containerMode);
      process = options.sandbox.spawn({
        id: crypto.randomUUID(),
        mode: decision.mode,
        cmd: launch.cmd,
        env: {
          ...workerEnvironment(target, {
            runtimeApi: api.address,
            runtimeDir: options.host.runtimeDir,
            launch,
            logStreamName: logStreamName(target.version),
          }),
          ...grant?.env,
        },
        codeDir: target.codeDir,
        runtimeDir: options.host.runtimeDir,
        hostPaths: launch.hostPaths,
        memoryBytes: containerMemoryKb(config) * 1024,
        maxProcesses: config.edge.maxProcesses,
        tmpSizeMb: config.ephemeralStorageSize,
        ...(config.edge.posixUser === undefined ? {} : { posixUser: config.edge.posixUser }),
        ...(target.uid === undefined ? {} : { functionUid: target.uid }),
        volumes: config.edge.containerParams.volumes,
        devices: config.edge.containerParams.devices,
        mountROSysfs: config.edge.containerParams.mountROSysfs,
      });
    } catch (error) {
      api.close();
      grant?.revoke();
      if (error instanceof IsolationUnavailableError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return await fail(
        platformError("Runtime.InvalidEntrypoint", `RequestId: ${options.requestId} Error: ${message}`),
      );
    }
    api.admit(() => process.pids());
    forwardLines(process.stdout, capture.add);
    forwardLines(process.stderr, capture.add);
    const releaseCode = options.holdCode?.(config.codeSha256);
    const exited = process.exited.finally(() => {
      api.close();
      grant?.revoke();
      releaseCode?.();
    });
    void exited.then((status) =>
      settle({
        ready: false,
        outcome: platformError(
          "Runtime.ExitError",
          `RequestId: ${options.requestId} Error: Runtime exited with error: ${describeExit(status)}`,
        ),
      })
    );
    const timer = setTimeout(() => {
      settle({
        ready: false,
        outcome: platformError(
          "Sandbox.Timedout",
          `RequestId: ${options.requestId} Error: Runtime did not ask for an invocation within ${
            options.startTimeoutMs / 1000
          } seconds`,
        ),
      });
    }, options.startTimeoutMs);
    const signal = await settled;
    clearTimeout(timer);
    if (!signal.ready) {
      const oom = process.oomKills() > 0;
      process.kill();
      api.close();
      if (!oom) return await fail(signal.outcome);
      const limit = containerMemoryKb(config);
      return await fail(platformError(
        "Runtime.OutOfMemory",
        `RequestId: ${options.requestId} Error: The runtime ran out of memory while starting: the container's limit is ${limit} KB (${
          Math.round(limit / 1024)
        } MB). Raise it with Edge.containerParams.memorySizeInKB, or set MemorySize`,
      ));
    }
    capture.keep = false; // until an invocation asks for its log: a pinned worker may log for hours unasked
    capture.take();
    const worker = new Worker(target, process, api, exited, capture, performance.now() - started);
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

  /** Runs one invocation to its end (its deadline counts from now): an answer, a crash, or its deadline. */
  async invoke(request: InvocationRequest): Promise<InvocationResult> {
    this.state = "busy";
    const { requestId } = request;
    const timeoutSeconds = this.#target.config.timeout;
    const started = performance.now();
    const invocation = { ...request, deadlineMs: Date.now() + timeoutSeconds * 1000 };
    this.#capture.keep = request.captureLog === true;
    this.#capture.take();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<InvocationOutcome>((resolve) => {
      timer = setTimeout(() => {
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
      outcome = await Promise.race([this.#api.deliver(invocation), crashed, timedOut]);
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
    let log = "";
    if (request.captureLog) {
      await settleOutput();
      const peak = this.#process.peakMemoryBytes();
      log = formatInvocationLog({
        requestId,
        version: this.#target.version,
        lines: this.#capture.take(),
        durationMs,
        memorySizeMb: this.#target.config.memorySize,
        maxMemoryUsedMb: peak === null ? null : Math.ceil(peak / 1024 / 1024),
        ...(this.#initDurationMs === undefined ? {} : { initDurationMs: this.#initDurationMs }),
      });
    }
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
