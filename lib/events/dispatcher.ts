/** @module Runs queued Event invocations: retries, maximum age, destinations and dead letters. */
import { AgentUnavailableError, FunctionNotFoundError, LambdaError } from "../errors/mod.ts";
import type { InvocationOutcome } from "../runtime-api/mod.ts";
import type { InvocationResult } from "../scheduler/mod.ts";
import type { QueuedEvent, Store } from "../store/mod.ts";
import { destinationRecord, type RecordCondition } from "./destination-record.ts";
import type { DispatcherObserver } from "./observer.ts";

/** Options of {@linkcode EventDispatcher}. */
export interface DispatcherOptions {
  /**
   * Event invocations running at once, over all functions. Synchronous callers keep the rest of every pool, so an
   * event backlog never starves them. @default 4
   */
  concurrency?: number;
  /** Waits before the first and second retry after a function error, in ms. @default [60000, 120000] (Lambda's) */
  retryDelaysMs?: number[];
  /** Longest wait after a throttle (429), in ms; it starts at 1 s and doubles. @default 300000 */
  maxThrottleBackoffMs?: number;
  /** Told of every event's end and retry. @default none */
  observer?: DispatcherObserver;
}

/** What the dispatcher needs from the agent. */
export interface DispatcherDeps {
  /** The durable state. */
  store: Store;
  /**
   * Runs one event through the scheduler; throws `FunctionNotFoundError` when its function or version is gone (it is
   * not retried), `AgentUnavailableError` while the agent stops (it stays queued), another error when throttled or
   * the host failed (tried again after a backoff, without using a retry).
   */
  run(event: QueuedEvent): Promise<InvocationResult>;
  /** Queues an Event invocation of the function `arn` names, with `payload`. */
  sendTo(arn: string, payload: Uint8Array): void;
  /** Where to write a line about events that end badly. @default console.error */
  log?: (line: string) => void;
}

/** Pulls due events from the queue and runs them, at most `concurrency` at once. */
export class EventDispatcher {
  readonly #deps: DispatcherDeps;
  readonly #concurrency: number;
  readonly #retryDelaysMs: number[];
  readonly #maxThrottleMs: number;
  readonly #observer: DispatcherObserver | undefined;
  readonly #running = new Map<string, Promise<void>>();
  readonly #throttles = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  #stopped = false;

  constructor(deps: DispatcherDeps, options: DispatcherOptions = {}) {
    this.#deps = deps;
    this.#concurrency = options.concurrency ?? 4;
    this.#retryDelaysMs = options.retryDelaysMs ?? [60_000, 120_000];
    this.#maxThrottleMs = options.maxThrottleBackoffMs ?? 300_000;
    this.#observer = options.observer;
  }

  /** Starts dispatching (events left from before a crash or restart run again first). */
  start(): void {
    this.#started = true;
    this.wake();
  }

  /** Looks at the queue now (after an enqueue); before {@linkcode start} events only wait in the queue. */
  wake(): void {
    if (!this.#started || this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), 0);
  }

  /** Stops taking events and waits for the running ones; the rest stay queued for the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#running.values()]);
  }

  #tick(): void {
    if (this.#stopped) return;
    const free = this.#concurrency - this.#running.size;
    const now = Date.now();
    const due = free > 0 ? this.#deps.store.events.due(now, free, new Set(this.#running.keys())) : [];
    for (const event of due) {
      const run = this.#run(event).catch((error: unknown) => this.#log(`event ${event.id}: ${error}`))
        .finally(() => {
          this.#running.delete(event.id);
          this.wake();
        });
      this.#running.set(event.id, run);
    }
    if (this.#running.size >= this.#concurrency) return;
    const next = this.#deps.store.events.nextDue();
    if (next === null) return;
    this.#timer = setTimeout(() => this.#tick(), Math.min(Math.max(next - Date.now(), 10), 1000));
  }

  async #run(event: QueuedEvent): Promise<void> {
    const { store } = this.#deps;
    const config = store.eventInvokeConfigs.effective(event.functionName, qualifierOf(event.invokedArn));
    if (Date.now() - event.enqueuedAt > config.maximumEventAgeInSeconds * 1000) {
      this.#finish(event, "EventAgeExceeded", event.attempts, null, config.onFailure);
      return;
    }
    let result: InvocationResult;
    try {
      result = await this.#deps.run(event);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof FunctionNotFoundError) {
        // the function or version is gone: no retry can run it
        store.events.bury(event, "FunctionUnavailable", event.attempts, message, Date.now());
        this.#observer?.finished(event, "FunctionUnavailable", "dead-letters");
        this.#log(`event ${event.id} for ${event.functionName} could not run: ${message}`);
        return;
      }
      if (error instanceof AgentUnavailableError && this.#stopped) return; // stays queued
      // throttled, or a failure of the agent or host (I/O, isolation): wait and try again, without using a retry
      const backoff = Math.min((this.#throttles.get(event.id) ?? 500) * 2, this.#maxThrottleMs);
      this.#throttles.set(event.id, backoff);
      store.events.retryLater(event.id, event.attempts, Date.now() + backoff, message);
      const throttle = error instanceof LambdaError && error.type === "TooManyRequestsException";
      this.#observer?.retried(event, throttle ? "throttled" : "agent-error", {
        attempt: event.attempts + 1,
        delayMs: backoff,
      });
      return;
    }
    this.#throttles.delete(event.id);
    const attempts = event.attempts + 1;
    if (result.outcome.kind === "success") {
      this.#finish(event, "Success", attempts, result.outcome, config.onSuccess);
      return;
    }
    if (attempts > config.maximumRetryAttempts) {
      this.#finish(event, "RetriesExhausted", attempts, result.outcome, config.onFailure);
      return;
    }
    const delay = this.#retryDelaysMs[Math.min(attempts - 1, this.#retryDelaysMs.length - 1)] ?? 60_000;
    store.events.retryLater(event.id, attempts, Date.now() + delay, errorSummary(result.outcome));
    this.#observer?.retried(event, "function-error", { attempt: attempts + 1, delayMs: delay });
  }

  /** Sends the outcome to its destination (or the dead letters for failures without one), then forgets the event. */
  #finish(
    event: QueuedEvent,
    condition: RecordCondition,
    attempts: number,
    outcome: InvocationOutcome | null,
    destination: string | undefined,
  ): void {
    const { store } = this.#deps;
    if (destination) {
      try {
        const record = destinationRecord(event, condition, attempts, outcome);
        this.#deps.sendTo(destination, new TextEncoder().encode(JSON.stringify(record)));
        store.events.remove(event.id);
        this.#observer?.finished(event, condition, "destination");
        return;
      } catch (error) {
        this.#log(`event ${event.id}: destination ${destination} failed: ${error}`);
      }
    }
    if (condition === "Success") store.events.remove(event.id);
    else store.events.bury(event, condition, attempts, outcome ? errorSummary(outcome) : null, Date.now());
    this.#observer?.finished(event, condition, condition === "Success" ? "none" : "dead-letters");
  }

  #log(line: string): void {
    (this.#deps.log ?? ((text) => console.error(text)))(`[events] ${line}`);
  }
}

/** The qualifier an invoked ARN carried (`:N` or `:alias`), or "" for the function itself. */
function qualifierOf(arn: string): string {
  return arn.split(":")[7] ?? "";
}

function errorSummary(outcome: InvocationOutcome): string {
  return new TextDecoder().decode(outcome.body).slice(0, 1000);
}
