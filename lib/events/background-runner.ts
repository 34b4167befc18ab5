/** @module Runs Event invocations in the background; throttled ones wait and try again instead of being dropped. */
import { LambdaError } from "../errors/mod.ts";
import type { InvocationRequest } from "../runtime-api/mod.ts";
import type { FunctionTarget, InvocationResult } from "../scheduler/mod.ts";

/** What the runner needs to run an invocation. */
export interface Invoker {
  /** Runs one invocation. */
  invoke(target: FunctionTarget, request: InvocationRequest): Promise<InvocationResult>;
}

/** Options of {@linkcode BackgroundRunner}. */
export interface BackgroundRunnerOptions {
  /** How long a throttled event keeps being retried, in ms. @default 21_600_000 (six hours, Lambda's maximum event age) */
  maxAgeMs?: number;
  /** Receives a line about each event that ends without running. @default console.error */
  log?: (line: string) => void;
}

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

/** Runs acknowledged Event invocations while the agent runs, retrying throttles with capped backoff. */
export class BackgroundRunner {
  readonly #invoker: Invoker;
  readonly #maxAgeMs: number;
  readonly #log: (line: string) => void;
  readonly #running = new Set<Promise<void>>();

  constructor(invoker: Invoker, options: BackgroundRunnerOptions = {}) {
    this.#invoker = invoker;
    this.#maxAgeMs = options.maxAgeMs ?? 21_600_000;
    this.#log = options.log ?? ((line) => console.error(line));
  }

  /** Events accepted and not finished. */
  get pending(): number {
    return this.#running.size;
  }

  /** Starts running `request` in the background. */
  submit(target: FunctionTarget, request: InvocationRequest): void {
    const run = this.#run(target, request).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  async #run(target: FunctionTarget, request: InvocationRequest): Promise<void> {
    const started = Date.now();
    let backoff = FIRST_BACKOFF_MS;
    while (true) {
      try {
        await this.#invoker.invoke(target, request);
        return;
      } catch (error) {
        const throttled = error instanceof LambdaError && error.type === "TooManyRequestsException";
        if (!throttled || Date.now() - started + backoff > this.#maxAgeMs) {
          this.#log(
            `[events] event ${request.requestId} for ${target.config.functionName} was dropped: ${error}`,
          );
          return;
        }
        await Bun.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }
}
