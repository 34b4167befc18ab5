/** @module What the Event dispatcher tells as it works, for a part above that counts it (the agent's metrics). */
import type { QueuedEvent } from "../store/mod.ts";
import type { RecordCondition } from "./destination-record.ts";

/** How an event left the queue: Lambda's record conditions, or `FunctionUnavailable` (its function is gone). */
export type EventEnd = RecordCondition | "FunctionUnavailable";

/** Where an event's outcome went: a destination function, the dead letters, or nowhere (a success without one). */
export type EventSentTo = "destination" | "dead-letters" | "none";

/** Why an event waits to be tried again: its function failed, it was throttled, or the agent or host failed. */
export type EventRetryReason = "function-error" | "throttled" | "agent-error";

/** Told of each event's end and retry where it happens; every method must be cheap (no I/O) and must not throw. */
export interface DispatcherObserver {
  /** `event` left the queue with `end`, its outcome sent to `sentTo`. */
  finished(event: QueuedEvent, end: EventEnd, sentTo: EventSentTo): void;
  /** `event` is queued again for a later attempt. */
  retried(event: QueuedEvent, reason: EventRetryReason): void;
}
