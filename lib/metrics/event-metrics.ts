/** @module The Event dispatcher's metrics: counters moved where each event ends or waits for a retry. */
import { Counter, type Registry } from "prom-client";
import type { DispatcherObserver, EventEnd, EventRetryReason, EventSentTo } from "../events/mod.ts";
import type { QueuedEvent } from "../store/mod.ts";

/**
 * The `source` label of a queued event: `pubsub` for the deliveries of a topic (they carry an ordering key), `event`
 * for Event invokes, schedules and destination records.
 */
export function eventSource(orderingKey: string | null | undefined): "event" | "pubsub" {
  return orderingKey ? "pubsub" : "event";
}

/** The metrics the dispatcher moves, as its {@linkcode DispatcherObserver}. */
export class EventMetrics implements DispatcherObserver {
  /** Every counter here, for pruning the series of deleted functions. */
  readonly all: readonly Counter<string>[];
  readonly #finished: Counter<string>;
  readonly #retries: Counter<string>;

  constructor(registry: Registry) {
    this.#finished = new Counter({
      name: "lambdalet_events_finished_total",
      help:
        "Queued events that left the queue, by how they ended (Success, RetriesExhausted, EventAgeExceeded, FunctionUnavailable) and where their outcome went (destination, dead-letters, none)",
      labelNames: ["function", "source", "end", "sent_to"],
      registers: [registry],
    });
    this.#retries = new Counter({
      name: "lambdalet_event_retries_total",
      help: "Queued events put back for a later attempt, by reason (function-error, throttled, agent-error)",
      labelNames: ["function", "source", "reason"],
      registers: [registry],
    });
    this.all = [this.#finished, this.#retries];
  }

  finished(event: QueuedEvent, end: EventEnd, sentTo: EventSentTo): void {
    this.#finished.inc({
      function: event.functionName,
      source: eventSource(event.orderingKey),
      end,
      sent_to: sentTo,
    });
  }

  retried(event: QueuedEvent, reason: EventRetryReason): void {
    this.#retries.inc({ function: event.functionName, source: eventSource(event.orderingKey), reason });
  }
}
