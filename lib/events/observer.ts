/** @module What the Event dispatcher tells as it works, for the parts above that count and log it (metrics, the agent's log). */
import type { QueuedEvent } from "../store/mod.ts";
import type { RecordCondition } from "./destination-record.ts";

/** How an event left the queue: Lambda's record conditions, or `FunctionUnavailable` (its function is gone). */
export type EventEnd = RecordCondition | "FunctionUnavailable";

/** Where an event's outcome went: a destination function, the dead letters, or nowhere (a success without one). */
export type EventSentTo = "destination" | "dead-letters" | "none";

/** Why an event waits to be tried again: its function failed, it was throttled, or the agent or host failed. */
export type EventRetryReason = "function-error" | "throttled" | "agent-error";

/** The attempt an event waits for: its number (1 for the first try; a throttle does not use one) and the wait. */
export interface EventRetry {
  /** The number of the attempt it waits for. */
  attempt: number;
  /** How long it waits, in ms. */
  delayMs: number;
}

/** Told of each event's end and retry where it happens; every method must be cheap (no I/O) and must not throw. */
export interface DispatcherObserver {
  /** `event` left the queue with `end`, its outcome sent to `sentTo`. */
  finished(event: QueuedEvent, end: EventEnd, sentTo: EventSentTo): void;
  /** `event` is queued again for a later attempt, `next` telling which attempt and after how long. */
  retried(event: QueuedEvent, reason: EventRetryReason, next: EventRetry): void;
}

/** One observer that tells each of `observers` in turn. */
export function observeAllEvents(...observers: DispatcherObserver[]): DispatcherObserver {
  return {
    finished: (event, end, sentTo) => observers.forEach((each) => each.finished(event, end, sentTo)),
    retried: (event, reason, next) => observers.forEach((each) => each.retried(event, reason, next)),
  };
}
