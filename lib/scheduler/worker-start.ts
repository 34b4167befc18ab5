/** @module The steps of a worker's start: launch its runtime's command, spawn it, await its first request. */
import { type InvocationOutcome, platformError, RuntimeApiServer } from "../runtime-api/mod.ts";
import { EntrypointError, type LaunchCommand } from "../runtimes/mod.ts";
import {
  describeExit,
  type ExitStatus,
  IsolationUnavailableError,
  type WorkerProcess,
} from "../sandbox/mod.ts";
import { logStreamName, workerEnvironment } from "./environment.ts";
import { formatInvocationLog } from "./invocation-log.ts";
import { LineCapture } from "./log-capture.ts";
import { forwardLines } from "./log-lines.ts";
import type { FunctionTarget } from "./target.ts";
import type { InvocationResult, WorkerStartOptions } from "./worker.ts";

/** The outcome of one step of a start: its value, or the outcome the invocation that waited gets instead. */
export type StartStep<T> = { ok: true; value: T } | { ok: false; outcome: InvocationOutcome };

/** A spawned worker process and its exit, after which its Runtime API, credentials and code are let go. */
export interface SpawnedWorker {
  process: WorkerProcess;
  exited: Promise<ExitStatus>;
}

type StartSignal = { ready: true } | { ready: false; outcome: InvocationOutcome };

/** Lets output already written by the worker reach its line capture before the log is cut. */
export function settleOutput(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * One start of a worker of `target`, step by step: {@linkcode WorkerStartup.launch},
 * {@linkcode WorkerStartup.spawn}, {@linkcode WorkerStartup.ready}; a step that fails gives the outcome to
 * report, which {@linkcode WorkerStartup.failure} turns into the result with the start's log.
 */
export class WorkerStartup {
  /** The worker's Runtime API: its first request for work, or an init error, settles the start. */
  readonly api: RuntimeApiServer;
  /** The lines the worker writes (all of them kept while it starts). */
  readonly capture: LineCapture;
  readonly #target: FunctionTarget;
  readonly #options: WorkerStartOptions;
  readonly #startedAt = performance.now();
  readonly #signal: Promise<StartSignal>;
  #settle: (signal: StartSignal) => void = () => {};

  constructor(target: FunctionTarget, options: WorkerStartOptions) {
    this.#target = target;
    this.#options = options;
    this.capture = new LineCapture((message, stream, requestId) =>
      options.onLog({ kind: "line", stream, message, requestId })
    );
    this.#signal = new Promise((resolve) => {
      this.#settle = resolve;
    });
    this.api = new RuntimeApiServer({
      onReady: () => this.#settle({ ready: true }),
      onInitError: (outcome) => this.#settle({ ready: false, outcome }),
      warn: (line) => console.warn(`[${target.config.functionName}:${target.version}] ${line}`),
    });
  }

  /** How long the start has taken so far, in ms. */
  get elapsedMs(): number {
    return performance.now() - this.#startedAt;
  }

  /** Step 1: the command that runs the function's runtime on its code; a bad entrypoint fails the start. */
  async launch(): Promise<StartStep<LaunchCommand>> {
    const { config } = this.#target;
    try {
      return { ok: true, value: await this.#options.host.launch(config.runtime, this.#target.codeDir) };
    } catch (error) {
      this.api.close();
      if (!(error instanceof EntrypointError)) throw error;
      return { ok: false, outcome: this.#platformError(error.errorType, error.message) };
    }
  }

  /**
   * Step 2: spawns the worker through the sandbox, on the pool's plan, with its credentials; then admits its
   * processes to the Runtime API and forwards its output. `IsolationUnavailableError` propagates (the host cannot
   * run it); any other failure (a refused user or volume, a failed spawn) is `Runtime.InvalidEntrypoint`.
   */
  spawn(launch: LaunchCommand): StartStep<SpawnedWorker> {
    const target = this.#target;
    const options = this.#options;
    const grant = options.grantCredentials?.(target) ?? null;
    let process: WorkerProcess;
    try {
      process = options.sandbox.spawn(options.plan, {
        id: crypto.randomUUID(),
        cmd: launch.cmd,
        env: {
          ...workerEnvironment(target, {
            runtimeApi: this.api.address,
            runtimeDir: options.host.runtimeDir,
            launch,
            logStreamName: logStreamName(target.version),
          }),
          ...grant?.env,
        },
        codeDir: target.codeDir,
        runtimeDir: options.host.runtimeDir,
        hostPaths: launch.hostPaths,
      });
    } catch (error) {
      this.api.close();
      grant?.revoke();
      if (error instanceof IsolationUnavailableError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, outcome: this.#platformError("Runtime.InvalidEntrypoint", message) };
    }
    this.api.admit(() => process.pids());
    options.observer?.workerSpawned(target, process);
    forwardLines(process.stdout, (line) => this.capture.add(line, "stdout"));
    forwardLines(process.stderr, (line) => this.capture.add(line, "stderr"));
    const releaseCode = options.holdCode?.(target.config.codeSha256);
    const exited = process.exited.finally(() => {
      this.api.close();
      grant?.revoke();
      releaseCode?.();
    });
    return { ok: true, value: { process, exited } };
  }

  /**
   * Step 3: waits for the worker's first request for work, its init error, its exit or the start timeout. On a
   * failure it kills the worker and returns why (`Runtime.OutOfMemory` when the memory limit killed part of it);
   * null once the worker is ready.
   */
  async ready({ process, exited }: SpawnedWorker): Promise<InvocationOutcome | null> {
    const seconds = this.#options.startTimeoutMs / 1000;
    void exited.then((status) =>
      this.#settle({
        ready: false,
        outcome: this.#platformError(
          "Runtime.ExitError",
          `Runtime exited with error: ${describeExit(status)}`,
        ),
      })
    );
    const timer = setTimeout(() => {
      this.#settle({
        ready: false,
        outcome: this.#platformError(
          "Sandbox.Timedout",
          `Runtime did not ask for an invocation within ${seconds} seconds`,
        ),
      });
    }, this.#options.startTimeoutMs);
    const signal = await this.#signal;
    clearTimeout(timer);
    if (signal.ready) return null;
    const oom = process.oomKills() > 0;
    process.kill();
    this.api.close();
    if (!oom) return signal.outcome;
    const limitKb = this.#options.plan.memoryBytes / 1024;
    return this.#platformError(
      "Runtime.OutOfMemory",
      `The runtime ran out of memory while starting: the container's limit is ${limitKb} KB (${
        Math.round(limitKb / 1024)
      } MB). Raise it with Edge.containerParams.memorySizeInKB, or set MemorySize`,
    );
  }

  /** The result of a start that failed with `outcome`, with the log of the lines the worker wrote. */
  async failure(outcome: InvocationOutcome): Promise<InvocationResult> {
    await settleOutput();
    const { requestId } = this.#options;
    const report = {
      requestId,
      durationMs: this.elapsedMs,
      memorySizeMb: this.#target.config.memorySize,
      maxMemoryUsedMb: null,
    };
    const log = formatInvocationLog({ ...report, version: this.#target.version, lines: this.capture.take() });
    // the stored log shows the invocation the failed start answered, framed as any other
    const onLog = this.#options.onLog;
    onLog({ kind: "start", requestId, version: this.#target.version });
    onLog({ kind: "end", requestId });
    onLog({ kind: "report", report: { ...report, status: "error" } });
    return { outcome, log };
  }

  /** A platform error naming the request that caused this start, as Lambda words it. */
  #platformError(errorType: string, message: string): InvocationOutcome {
    return platformError(errorType, `RequestId: ${this.#options.requestId} Error: ${message}`);
  }
}
