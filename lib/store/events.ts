/** @module The durable queue of asynchronous (Event) invocations, and the dead letters of those that failed. */
import type { Database } from "bun:sqlite";

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

interface EventRow {
  id: string;
  function_name: string;
  version: string;
  invoked_arn: string;
  payload: Uint8Array;
  client_context: string | null;
  enqueued_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

function toEvent(row: EventRow): QueuedEvent {
  return {
    id: row.id,
    functionName: row.function_name,
    version: row.version,
    invokedArn: row.invoked_arn,
    payload: row.payload,
    clientContext: row.client_context,
    enqueuedAt: row.enqueued_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
  };
}

/** The events table: written with `synchronous = FULL`, so an accepted event survives a crash or power loss. */
export class EventQueue {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Commits an event; when this returns, it is on disk. */
  enqueue(event: Omit<QueuedEvent, "attempts" | "nextAttemptAt" | "lastError">): void {
    this.#db.query(
      `INSERT INTO events (id, function_name, version, invoked_arn, payload, client_context, enqueued_at, attempts, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)`,
    ).run(
      event.id,
      event.functionName,
      event.version,
      event.invokedArn,
      event.payload,
      event.clientContext,
      event.enqueuedAt,
      event.enqueuedAt,
    );
  }

  /** Up to `limit` events due at `now`, oldest first, skipping the ids in `exclude` (already running). */
  due(now: number, limit: number, exclude: ReadonlySet<string>): QueuedEvent[] {
    const rows = this.#db.query<EventRow, [number, number]>(
      "SELECT * FROM events WHERE next_attempt_at <= ? ORDER BY next_attempt_at, enqueued_at LIMIT ?",
    ).all(now, limit + exclude.size);
    return rows.filter((row) => !exclude.has(row.id)).slice(0, limit).map(toEvent);
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
      this.#db.query(
        `INSERT OR REPLACE INTO dead_letters
         (id, function_name, version, invoked_arn, payload, client_context, condition, attempts, last_error, enqueued_at, failed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        event.id,
        event.functionName,
        event.version,
        event.invokedArn,
        event.payload,
        event.clientContext,
        condition,
        attempts,
        lastError,
        event.enqueuedAt,
        now,
      );
      this.remove(event.id);
    })();
  }

  /** Dead letters, newest first (of one function when named). */
  deadLetters(functionName?: string): DeadLetter[] {
    const rows = this.#db.query<
      EventRow & { condition: string; failed_at: number },
      [string | null, string | null]
    >(
      "SELECT * FROM dead_letters WHERE (? IS NULL OR function_name = ?) ORDER BY failed_at DESC",
    ).all(functionName ?? null, functionName ?? null);
    return rows.map((row) => ({
      ...toEvent({ ...row, next_attempt_at: 0 }),
      condition: row.condition,
      failedAt: row.failed_at,
    }));
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
