/** @module One worker: a runtime process and its Runtime API, serving one invocation at a time. */
import {
  type InvocationOutcome,
  type InvocationRequest,
  platformError,
  RuntimeApiServer,
} from "../runtime-api/mod.ts";
import type { RuntimeHost } from "../runtimes/mod.ts";
import { describeExit, type ExitStatus, spawnNoContainer, type WorkerProcess } from "../sandbox/mod.ts";
import { logStreamName, workerEnvironment } from "./environment.ts";
import { forwardLines } from "./log-lines.ts";
import type { FunctionTarget } from "./target.ts";

/** Where a worker is in its life. */
export type WorkerState = "idle" | "busy" | "dead";

/** Options of {@linkcode Worker.start}. */
export interface WorkerStartOptions {
  /** The runtimes of this host. */
  host: RuntimeHost;
  /** Receives each line the worker writes to stdout or stderr. */
  onLog(line: string): void;
  /** How long the worker may take to ask for its first invocation, in ms. */
  startTimeoutMs: number;
  /** The request id that caused this start, named in platform error messages. */
  requestId: string;
}

/** The result of starting a worker: a ready worker, or the outcome to give the invocation that waited. */
export type WorkerStart = { ok: true; worker: Worker } | { ok: false; outcome: InvocationOutcome };

/** A started worker process with its own Runtime API server. */
export class Worker {
  /** The worker's current state. */
  state: WorkerState = "idle";
  readonly #process: WorkerProcess;
  readonly #api: RuntimeApiServer;
  readonly #exited: Promise<ExitStatus>;
  readonly #timeoutSeconds: number;

  private constructor(
    process: WorkerProcess,
    api: RuntimeApiServer,
    exited: Promise<ExitStatus>,
    timeout: number,
  ) {
    this.#process = process;
    this.#api = api;
    this.#exited = exited;
    this.#timeoutSeconds = timeout;
  }

  /** Starts a worker for `target` and waits until it asks for its first invocation. */
  static async start(target: FunctionTarget, options: WorkerStartOptions): Promise<WorkerStart> {
    const launch = options.host.launch(target.config.runtime);
    let settle: (result: { ready: true } | { ready: false; outcome: InvocationOutcome }) => void = () => {};
    const settled = new Promise<{ ready: true } | { ready: false; outcome: InvocationOutcome }>((resolve) => {
      settle = resolve;
    });
    const api = new RuntimeApiServer({
      onReady: () => settle({ ready: true }),
      onInitError: (outcome) => settle({ ready: false, outcome }),
    });
    let process: WorkerProcess;
    try {
      process = spawnNoContainer({
        cmd: launch.cmd,
        cwd: target.codeDir,
        env: workerEnvironment(target, {
          runtimeApi: api.address,
          runtimeDir: options.host.runtimeDir,
          launch,
          logStreamName: logStreamName(target.version),
        }),
      });
    } catch (error) {
      api.close();
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        outcome: platformError(
          "Runtime.InvalidEntrypoint",
          `RequestId: ${options.requestId} Error: ${message}`,
        ),
      };
    }
    forwardLines(process.stdout, options.onLog);
    forwardLines(process.stderr, options.onLog);
    const exited = process.exited.finally(() => api.close());
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
    const result = await settled;
    clearTimeout(timer);
    if (!result.ready) {
      process.kill();
      api.close();
      return { ok: false, outcome: result.outcome };
    }
    const worker = new Worker(process, api, exited, target.config.timeout);
    void exited.then(() => {
      worker.state = "dead";
    });
    return { ok: true, worker };
  }

  /** Process id of the worker. */
  get pid(): number {
    return this.#process.pid;
  }

  /** Resolves when the worker's process has exited. */
  get exited(): Promise<ExitStatus> {
    return this.#exited;
  }

  /** Runs one invocation to its end (its deadline counts from now): an answer, a crash, or its deadline (which kills the worker). */
  async invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    this.state = "busy";
    const { requestId } = request;
    const invocation = { ...request, deadlineMs: Date.now() + this.#timeoutSeconds * 1000 };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<InvocationOutcome>((resolve) => {
      timer = setTimeout(() => {
        this.kill();
        resolve(platformError(
          "Sandbox.Timedout",
          `RequestId: ${requestId} Error: Task timed out after ${this.#timeoutSeconds.toFixed(2)} seconds`,
        ));
      }, Math.max(invocation.deadlineMs - Date.now(), 0));
    });
    const crashed = this.#exited.then((status) =>
      platformError(
        "Runtime.ExitError",
        `RequestId: ${requestId} Error: Runtime exited with error: ${describeExit(status)}`,
      )
    );
    try {
      return await Promise.race([this.#api.deliver(invocation), crashed, timedOut]);
    } finally {
      clearTimeout(timer);
      if (this.state === "busy") this.state = "idle";
    }
  }

  /** Kills the worker and all its children, and closes its Runtime API. */
  kill(): void {
    this.state = "dead";
    this.#process.kill();
    this.#api.close();
  }
}
