/** @module The steps of a worker's start: launch its runtime's command, spawn it, await its first request. */
import {
  type InvocationOutcome,
  MAX_EXTENSIONS,
  platformError,
  RuntimeApiServer,
} from "../runtime-api/mod.ts";
import { EntrypointError, type LaunchCommand } from "../runtimes/mod.ts";
import {
  describeExit,
  type ExitStatus,
  IsolationUnavailableError,
  type WorkerProcess,
} from "../sandbox/mod.ts";
import { logStreamName, workerEnvironment } from "./environment.ts";
import {
  ExecWrapperError,
  externalExtensions,
  launcherCommand,
  launcherLine,
  wrapCommand,
} from "./extension-launch.ts";
import { functionRecord, initDoneRecords } from "./telemetry-records.ts";
import { formatInvocationLog } from "./invocation-log.ts";
import { LineCapture, settleOutput } from "./log-capture.ts";
import { forwardLines } from "./log-lines.ts";
import { type FunctionTarget, holdTargetCode } from "./target.ts";
import type { InvocationResult, WorkerStartOptions } from "./worker-types.ts";
import { workerExtensionsOptions } from "./worker-extensions.ts";

/** The outcome of one step of a start: its value, or the outcome the invocation that waited gets instead. */
export type StartStep<T> = { ok: true; value: T } | { ok: false; outcome: InvocationOutcome };

/** A spawned worker process and its exit, after which its Runtime API, credentials and code are let go. */
export interface SpawnedWorker {
  process: WorkerProcess;
  exited: Promise<ExitStatus>;
}

type StartSignal = { ready: true } | { ready: false; outcome: InvocationOutcome };

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
  /** The external extensions' files (real paths), and the token of their launcher's lines; none without any. */
  readonly #extensionFiles: string[];
  readonly #token: string | null;
  #process: WorkerProcess | null = null;
  #runtimeAsked = false;
  #initialized = false;
  /** Told when an extension's process ends after init (the worker then goes once idle). @default none */
  onExtensionExit: (() => void) | null = null;

  constructor(target: FunctionTarget, options: WorkerStartOptions) {
    this.#target = target;
    this.#options = options;
    this.capture = new LineCapture((message, stream, requestId) =>
      options.onLog({ kind: "line", stream, message, requestId })
    );
    this.#signal = new Promise((resolve) => {
      this.#settle = resolve;
    });
    this.#extensionFiles = externalExtensions(target.optDir);
    this.#token = this.#extensionFiles.length ? `lambdalet-${crypto.randomUUID()}` : null;
    const maxConcurrency = target.config.edge.maxConcurrency ?? 1;
    this.api = new RuntimeApiServer({
      onReady: () => this.#runtimeReady(),
      onInitError: (outcome) => this.#settle({ ready: false, outcome }),
      warn: (line) => console.warn(`[${target.config.functionName}:${target.version}] ${line}`),
      maxConcurrency,
      // extensions follow one invocation at a time: with several at once, their API is not served (404)
      extensions: maxConcurrency > 1 ? undefined : workerExtensionsOptions(target, {
        files: this.#extensionFiles,
        onRegistered: () => {
          this.#process?.stdin?.write("go\n");
          this.#process?.stdin?.end();
        },
        onInitFailure: (errorType, message) =>
          this.#settle({ ready: false, outcome: this.#platformError(errorType, message) }),
      }),
    });
  }

  /** The runtime asked for work: init ends once the extensions are ready too. */
  #runtimeReady(): void {
    if (this.#runtimeAsked) return;
    this.#runtimeAsked = true;
    const extensions = this.api.extensions;
    if (!extensions) this.#settle({ ready: true });
    else void extensions.initDone().then(() => this.#settle({ ready: true }));
  }

  /** A line the worker wrote: the function's, or (with external extensions) one of their launcher's. */
  #line(line: string, stream: "stdout" | "stderr"): void {
    const token = this.#token;
    const launched = token === null ? null : launcherLine(line, token);
    const telemetry = this.api.extensions?.telemetry;
    if (!launched) {
      this.capture.add(line, stream);
      if (telemetry?.active) telemetry.emit("function", functionRecord(line, this.#target.config.logFormat));
      return;
    }
    if (launched.kind === "log") {
      this.capture.add(launched.line, stream);
      if (telemetry?.active) telemetry.emit("extension", launched.line);
      return;
    }
    const errorType = this.api.extensions?.exited(launched.name) ?? "Extension.Crash";
    if (this.#initialized) this.onExtensionExit?.();
    else this.#settle({ ready: false, outcome: this.#platformError(errorType, launched.how) });
  }

  /** How long the start has taken so far, in ms. */
  get elapsedMs(): number {
    return performance.now() - this.#startedAt;
  }

  /** Step 1: the command that runs the function's runtime on its code; a bad entrypoint fails the start. */
  async launch(): Promise<StartStep<LaunchCommand>> {
    const { config } = this.#target;
    try {
      const { codeDir, optDir } = this.#target;
      const { plan } = this.#options;
      // a container's memory limit may be below MemorySize (Greengrass's memorySizeInKB): the JVM's heap fits the lower
      const memoryMb = plan.mode === "GreengrassContainer"
        ? Math.min(config.memorySize, Math.floor(plan.memoryBytes / 1048576))
        : config.memorySize;
      const launchOptions = { memoryMb, environment: config.environment };
      const launch = await this.#options.host.launch(config.runtime, codeDir, optDir, launchOptions);
      const cmd = wrapCommand(launch.cmd, config.runtime, config.environment, { codeDir, optDir });
      if (this.#extensionFiles.length && (config.edge.maxConcurrency ?? 1) > 1) {
        this.api.close();
        const message =
          `Extensions cannot run beside Edge.maxConcurrency ${config.edge.maxConcurrency} (several invocations at once in one worker): remove the extension layers or set maxConcurrency to 1`;
        return { ok: false, outcome: this.#platformError("Extension.LaunchError", message) };
      }
      if (this.#extensionFiles.length > MAX_EXTENSIONS) {
        this.api.close();
        const message =
          `Extension limit (${MAX_EXTENSIONS}) reached: the layers hold ${this.#extensionFiles.length}`;
        return { ok: false, outcome: this.#platformError("Extension.LaunchError", message) };
      }
      const token = this.#token;
      return {
        ok: true,
        value: { ...launch, cmd: token ? launcherCommand(this.#extensionFiles, cmd, token) : cmd },
      };
    } catch (error) {
      this.api.close();
      if (error instanceof ExecWrapperError) {
        return { ok: false, outcome: this.#platformError("Runtime.InvalidEntrypoint", error.message) };
      }
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
            ...(options.initializationType ? { initializationType: options.initializationType } : {}),
          }),
          ...grant?.env,
        },
        codeDir: target.codeDir,
        ...(target.optDir === undefined ? {} : { optDir: target.optDir }),
        runtimeDir: options.host.runtimeDir,
        hostPaths: launch.hostPaths,
        ...(this.#token === null ? {} : { stdin: "pipe" as const }),
      });
    } catch (error) {
      this.api.close();
      grant?.revoke();
      if (error instanceof IsolationUnavailableError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, outcome: this.#platformError("Runtime.InvalidEntrypoint", message) };
    }
    this.#process = process;
    this.api.admit(() => process.pids());
    options.observer?.workerSpawned(target, process);
    forwardLines(process.stdout, (line) => this.#line(line, "stdout"));
    forwardLines(process.stderr, (line) => this.#line(line, "stderr"));
    const releaseCode = holdTargetCode(options, target);
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
    if (signal.ready) {
      this.#initialized = true;
      this.api.endInit();
      const telemetry = this.api.extensions?.telemetry;
      if (telemetry?.active) {
        for (const [type, record] of initDoneRecords(this.api.extensions!.registered, this.elapsedMs)) {
          telemetry.emit(type, record);
        }
      }
      return null;
    }
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
