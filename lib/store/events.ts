/** @module The durable queue of asynchronous (Event) invocations, and the dead letters of those that failed. */
import type { Database } from "bun:sqlite";
import { defineTable, type Row } from "./table.ts";

/** One queued Event invocation. */
export interface QueuedEvent {
  /** The request id: stable across retries and restarts, so handlers can deduplicate. */
  id: string;
  functionName: string;
  /** The version the qualifier resolved to when the event was accepted. */
  version: string;
  /** The ARN the caller invoked (with its qualifier). */
  invokedArn: string;
  payload: Uint8Array;
  clientContext: string | null;
  /** Epoch ms when it was accepted. */
  enqueuedAt: number;
  /** Attempts made so far. */
  attempts: number;
  /** Epoch ms before which it is not tried. */
  nextAttemptAt: number;
  /** The last attempt's error, if any. */
  lastError: string | null;
}

/** An event that ran out of retries or age, kept for `lambdalet dead-letters`. */
export interface DeadLetter extends Omit<QueuedEvent, "nextAttemptAt" | "lastError"> {
  /** `RetriesExhausted` or `EventAgeExceeded`. */
  condition: string;
  lastError: string | null;
  /** Epoch ms of the final failure. */
  failedAt: number;
}

/** The columns an event keeps from the queue to its dead letter. */
const EVENT_COLUMNS = {
  id: "id",
  functionName: "function_name",
  version: "version",
  invokedArn: "invoked_arn",
  payload: "payload",
  clientContext: "client_context",
  enqueuedAt: "enqueued_at",
  attempts: "attempts",
  lastError: "last_error",
} as const;

const EVENTS = defineTable<QueuedEvent>("events", { ...EVENT_COLUMNS, nextAttemptAt: "next_attempt_at" });

const DEAD_LETTERS = defineTable<DeadLetter>("dead_letters", {
  ...EVENT_COLUMNS,
  condition: "condition",
  failedAt: "failed_at",
});

/** The events table: written with `synchronous = FULL`, so an accepted event survives a crash or power loss. */
export class EventQueue {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Commits an event; when this returns, it is on disk. */
  enqueue(event: Omit<QueuedEvent, "attempts" | "nextAttemptAt" | "lastError">): void {
    this.#db.query(EVENTS.insert).run(
      ...EVENTS.toParams({ ...event, attempts: 0, nextAttemptAt: event.enqueuedAt, lastError: null }),
    );
  }

  /** Up to `limit` events due at `now`, oldest first, skipping the ids in `exclude` (already running). */
  due(now: number, limit: number, exclude: ReadonlySet<string>): QueuedEvent[] {
    const rows = this.#db.query<Row, [number, number]>(
      `SELECT ${EVENTS.columns} FROM events WHERE next_attempt_at <= ? ORDER BY next_attempt_at, enqueued_at LIMIT ?`,
    ).all(now, limit + exclude.size);
    return rows.map(EVENTS.fromRow).filter((event) => !exclude.has(event.id)).slice(0, limit);
  }

  /** The earliest time an event is due, or null when the queue is empty. */
  nextDue(): number | null {
    return this.#db.query<{ at: number | null }, []>("SELECT MIN(next_attempt_at) AS at FROM events").get()
      ?.at ?? null;
  }

  /** Events waiting, in all. */
  size(): number {
    return this.#db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM events").get()?.n ?? 0;
  }

  /** Removes an event that is done. */
  remove(id: string): void {
    this.#db.query("DELETE FROM events WHERE id = ?").run(id);
  }

  /** Records a failed attempt and when to try again. */
  retryLater(id: string, attempts: number, nextAttemptAt: number, lastError: string | null): void {
    this.#db.query("UPDATE events SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?").run(
      attempts,
      nextAttemptAt,
      lastError,
      id,
    );
  }

  /** Moves an event to the dead letters, in one transaction. */
  bury(event: QueuedEvent, condition: string, attempts: number, lastError: string | null, now: number): void {
    this.#db.transaction(() => {
      this.#db.query(DEAD_LETTERS.insertOrReplace).run(
        ...DEAD_LETTERS.toParams({ ...event, condition, attempts, lastError, failedAt: now }),
      );
      this.remove(event.id);
    })();
  }

  /** Dead letters, newest first (of one function when named). */
  deadLetters(functionName?: string): DeadLetter[] {
    return this.#db.query<Row, [string | null, string | null]>(
      `SELECT ${DEAD_LETTERS.columns} FROM dead_letters WHERE (? IS NULL OR function_name = ?) ORDER BY failed_at DESC`,
    ).all(functionName ?? null, functionName ?? null).map(DEAD_LETTERS.fromRow);
  }

  /** Puts dead letters back in the queue (all, or of one function), with fresh attempts; returns how many. */
  replay(functionName: string | undefined, now: number): number {
    return this.#db.transaction(() => {
      const letters = this.deadLetters(functionName);
      for (const letter of letters) {
        this.enqueue({ ...letter, enqueuedAt: now });
        this.#db.query("DELETE FROM dead_letters WHERE id = ?").run(letter.id);
      }
      return letters.length;
    })();
  }

  /** Deletes dead letters (all, or of one function); returns how many. */
  purge(functionName?: string): number {
    return this.#db.query("DELETE FROM dead_letters WHERE (? IS NULL OR function_name = ?)").run(
      functionName ?? null,
      functionName ?? null,
    ).changes;
  }
}
