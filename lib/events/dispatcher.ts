/** @module Runs queued Event invocations: retries, maximum age, destinations and dead letters. */
import { AgentUnavailableError, FunctionNotFoundError, LambdaError } from "../errors/mod.ts";
import type { InvocationOutcome } from "../runtime-api/mod.ts";
import type { InvocationResult } from "../scheduler/mod.ts";
import type { QueuedEvent, Store } from "../store/mod.ts";
import { destinationRecord, type RecordCondition } from "./destination-record.ts";
import type { DispatcherObserver, EventSentTo } from "./observer.ts";

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

/** Due events read from the queue at once (at least), so that most events cost no query of their own. */
const READ_AHEAD = 32;

/**
 * Pulls due events from the queue and runs them, at most `concurrency` at once. Due events are read ahead several at a
 * time; each outcome (removal, retry, dead letter, destination record) is written in a group commit with the others
 * of the same turn of the event loop, and told to the observer once committed. Until then the event stays in the
 * queue (a crash runs it again: at least once) and is not read again.
 */
export class EventDispatcher {
  readonly #deps: DispatcherDeps;
  readonly #concurrency: number;
  readonly #retryDelaysMs: number[];
  readonly #maxThrottleMs: number;
  readonly #observer: DispatcherObserver | undefined;
  /** Every event taken from the queue whose outcome is not yet on disk: running, or being written. */
  readonly #taken = new Map<string, Promise<void>>();
  /** Due events read ahead, not yet started, oldest first. */
  #ready: QueuedEvent[] = [];
  /** Whether the read-ahead may miss events due now: a key's next event became its first, or a retry came due. */
  #stale = false;
  /** Events whose function runs now (their slots). */
  #active = 0;
  readonly #throttles = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #tickQueued = false;
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

  /** Looks at the queue soon (after an enqueue); before {@linkcode start} events only wait in the queue. */
  wake(): void {
    if (!this.#started || this.#stopped || this.#tickQueued) return;
    this.#tickQueued = true;
    clearTimeout(this.#timer);
    setImmediate(() => {
      this.#tickQueued = false;
      this.#tick();
    });
  }

  /** Stops taking events and waits for the running ones (and their outcomes on disk); the rest stay queued. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#ready = [];
    await Promise.allSettled([...this.#taken.values()]);
  }

  #tick(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let free = this.#concurrency - this.#active;
    if (free <= 0) return;
    if (this.#stale || this.#ready.length < free) this.#readAhead();
    for (; free > 0 && this.#ready.length > 0; free--) this.#start(this.#ready.shift()!);
    if (free === 0) return;
    // nothing more is due now: look again when the next event is (a retry's time, or a busy key's next event)
    const next = this.#deps.store.events.nextDue();
    if (next === null) return;
    this.#timer = setTimeout(() => {
      this.#stale = true;
      this.#tick();
    }, Math.min(Math.max(next - Date.now(), 10), 1000));
  }

  #readAhead(): void {
    this.#stale = false;
    const limit = Math.max(READ_AHEAD, this.#concurrency * 2);
    this.#ready = this.#deps.store.events.due(Date.now(), limit, new Set(this.#taken.keys()));
  }

  #start(event: QueuedEvent): void {
    this.#active++;
    let running = true;
    const release = () => {
      if (!running) return;
      running = false;
      this.#active--;
      this.wake();
    };
    const task = this.#run(event, release)
      .catch((error: unknown) => {
        this.#stale = true; // its outcome was not written: it is due again
        this.#log(`event ${event.id}: ${error}`);
      })
      .finally(() => {
        release();
        this.#taken.delete(event.id);
        if (event.orderingKey) this.#stale = true; // the next event of its key may be due now
        this.wake();
      });
    this.#taken.set(event.id, task);
  }

  /** Runs `event` and writes its outcome; `release` frees its slot as soon as its function is done. */
  async #run(event: QueuedEvent, release: () => void): Promise<void> {
    const { store } = this.#deps;
    const config = store.eventInvokeConfigs.effective(event.functionName, qualifierOf(event.invokedArn));
    if (Date.now() - event.enqueuedAt > config.maximumEventAgeInSeconds * 1000) {
      release();
      await this.#finish(event, "EventAgeExceeded", event.attempts, null, config.onFailure);
      return;
    }
    let result: InvocationResult;
    try {
      result = await this.#deps.run(event);
    } catch (error) {
      release();
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof FunctionNotFoundError) {
        // the function or version is gone: no retry can run it
        await this.#record(
          () => store.events.bury(event, "FunctionUnavailable", event.attempts, message, Date.now()),
        );
        this.#observer?.finished(event, "FunctionUnavailable", "dead-letters");
        this.#log(`event ${event.id} for ${event.functionName} could not run: ${message}`);
        return;
      }
      if (error instanceof AgentUnavailableError && this.#stopped) return; // stays queued
      // throttled, or a failure of the agent or host (I/O, isolation): wait and try again, without using a retry
      const backoff = Math.min((this.#throttles.get(event.id) ?? 500) * 2, this.#maxThrottleMs);
      this.#throttles.set(event.id, backoff);
      await this.#record(
        () => store.events.retryLater(event.id, event.attempts, Date.now() + backoff, message),
      );
      const throttle = error instanceof LambdaError && error.type === "TooManyRequestsException";
      this.#observer?.retried(event, throttle ? "throttled" : "agent-error", {
        attempt: event.attempts + 1,
        delayMs: backoff,
      });
      return;
    }
    release();
    this.#throttles.delete(event.id);
    const attempts = event.attempts + 1;
    if (result.outcome.kind === "success") {
      await this.#finish(event, "Success", attempts, result.outcome, config.onSuccess);
      return;
    }
    if (attempts > config.maximumRetryAttempts) {
      await this.#finish(event, "RetriesExhausted", attempts, result.outcome, config.onFailure);
      return;
    }
    const delay = this.#retryDelaysMs[Math.min(attempts - 1, this.#retryDelaysMs.length - 1)] ?? 60_000;
    await this.#record(
      () => store.events.retryLater(event.id, attempts, Date.now() + delay, errorSummary(result.outcome)),
    );
    this.#observer?.retried(event, "function-error", { attempt: attempts + 1, delayMs: delay });
  }

  /**
   * Sends the outcome to its destination (or the dead letters for failures without one) and forgets the event, in
   * one write of the next group commit.
   */
  async #finish(
    event: QueuedEvent,
    condition: RecordCondition,
    attempts: number,
    outcome: InvocationOutcome | null,
    destination: string | undefined,
  ): Promise<void> {
    const { store } = this.#deps;
    let sentTo: EventSentTo = condition === "Success" ? "none" : "dead-letters";
    await this.#record(() => {
      if (destination) {
        try {
          const record = destinationRecord(event, condition, attempts, outcome);
          // the record is queued and the event removed together, or neither is
          store.events.atomically(() => {
            this.#deps.sendTo(destination, new TextEncoder().encode(JSON.stringify(record)));
            store.events.remove(event.id);
          });
          sentTo = "destination";
          return;
        } catch (error) {
          this.#log(`event ${event.id}: destination ${destination} failed: ${error}`);
        }
      }
      if (condition === "Success") store.events.remove(event.id);
      else store.events.bury(event, condition, attempts, outcome ? errorSummary(outcome) : null, Date.now());
    });
    this.#observer?.finished(event, condition, sentTo);
  }

  /** Writes an outcome in the next group commit (not waiting for the disk: a lost outcome only runs it again). */
  #record(write: () => void): Promise<void> {
    return this.#deps.store.events.grouped(write, { durable: false });
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
