/** @module Routes each invocation to the pool of its function version, and owns every pool. */
import { LambdaError } from "../errors/mod.ts";
import type { InvocationRequest } from "../runtime-api/mod.ts";
import type { RuntimeHost } from "../runtimes/mod.ts";
import { Pool, type PoolLimits } from "./pool.ts";
import type { FunctionTarget } from "./target.ts";
import type { InvocationResult } from "./worker.ts";

/** Options of {@linkcode Scheduler}. */
export interface SchedulerOptions {
  /** The runtimes of this host. */
  host: RuntimeHost;
  /** Receives each line a worker writes, with the function it belongs to. */
  onLog?(target: FunctionTarget, line: string): void;
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

/** Owns one pool per function version; a changed revision retires the old pool. */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #pools = new Map<string, { revisionId: string; pool: Pool }>();
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Runs one invocation of `target` and resolves with how it ended. */
  invoke(target: FunctionTarget, request: InvocationRequest): Promise<InvocationResult> {
    if (this.#stopped) throw new LambdaError("ServiceException", "The agent is shutting down");
    return this.#poolFor(target).invoke(request);
  }

  /** Retires the pools of a function (all versions, or one): their workers stop after their current work. */
  retire(functionName: string, version?: string): void {
    for (const [key, entry] of this.#pools) {
      const [name, poolVersion] = key.split("\0");
      if (name !== functionName || (version !== undefined && poolVersion !== version)) continue;
      entry.pool.retire();
      this.#pools.delete(key);
    }
  }

  /** Kills every worker and waits for them to exit; later invocations are refused. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map(({ pool }) => pool.stop()));
  }

  #poolFor(target: FunctionTarget): Pool {
    const key = `${target.config.functionName}\0${target.version}`;
    const existing = this.#pools.get(key);
    if (existing && existing.revisionId === target.config.revisionId) return existing.pool;
    existing?.pool.retire();
    const onLog = this.#options.onLog;
    const pool = new Pool(target, {
      host: this.#options.host,
      onLog: onLog ? (line) => onLog(target, line) : () => {},
    }, poolLimits(target));
    this.#pools.set(key, { revisionId: target.config.revisionId, pool });
    return pool;
  }
}
