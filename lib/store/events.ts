/** @module The durable queue of asynchronous (Event) invocations, and the dead letters of those that failed. */
import type { Database } from "bun:sqlite";
import { defineTable, type Row, type Stored } from "./table.ts";

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
  /**
   * Events with the same key run one at a time, in the order they were queued (a retry holds the line); null for
   * none or absent (the plain Event invokes, which run in any order).
   */
  orderingKey?: string | null;
}

/** An event to queue: its attempts start at none, due at once. */
export type NewQueuedEvent = Omit<QueuedEvent, "attempts" | "nextAttemptAt" | "lastError">;

/** An event that ran out of retries or age, kept for `lambdalet dead-letters`. */
export interface DeadLetter extends Omit<QueuedEvent, "nextAttemptAt" | "lastError"> {
  /** `RetriesExhausted` or `EventAgeExceeded`. */
  condition: string;
  lastError: string | null;
  /** Epoch ms of the final failure. */
  failedAt: number;
}

/** The events waiting for one function, of one kind: plain, or with an ordering key (pub/sub deliveries). */
export interface QueueBacklog {
  functionName: string;
  /** Whether these events carry an ordering key. */
  ordered: boolean;
  /** How many wait. */
  count: number;
  /** Epoch ms when the oldest of them was accepted. */
  oldestEnqueuedAt: number;
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
  orderingKey: {
    name: "ordering_key",
    encode: (key: string | null | undefined) => key ?? null,
    // read back as absent, as plain events are written
    decode: (stored: Stored) => stored === null ? undefined : stored as string,
  },
} as const;

const EVENTS = defineTable<QueuedEvent>("events", { ...EVENT_COLUMNS, nextAttemptAt: "next_attempt_at" });

const DEAD_LETTERS = defineTable<DeadLetter>("dead_letters", {
  ...EVENT_COLUMNS,
  condition: "condition",
  failedAt: "failed_at",
});

/** A write waiting for the next group commit, and how to tell its caller the outcome. */
interface GroupedWrite {
  write(): void;
  durable: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The events table. An accepted event is committed with `synchronous = FULL`, so it survives a crash or power loss.
 * Writes made during one turn of the event loop can share one transaction (one sync to disk): see
 * {@linkcode EventQueue.grouped}.
 */
export class EventQueue {
  readonly #db: Database;
  #group: GroupedWrite[] = [];

  constructor(db: Database) {
    this.#db = db;
  }

  /**
   * Runs `write` (statements on this database) in the next group commit: the writes queued during this turn of the
   * event loop commit in one transaction, each in its own savepoint (one that throws is rolled back alone and its
   * promise rejects). Resolves once the write is committed; rejects, with the others, if the commit fails.
   *
   * A `durable` write (an accepted event) is on disk when the promise resolves. The others (an event's outcome) are
   * committed without waiting for the disk (`synchronous = NORMAL`, unless a durable write shares the group): they
   * survive the agent's crash or `kill -9` at once, and a power loss once the next durable commit or checkpoint
   * synced them; an outcome lost that way only runs its event again (Event invocations run at least once).
   */
  grouped(write: () => void, options: { durable: boolean }): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#group.push({ write, durable: options.durable, resolve, reject });
    if (this.#group.length === 1) setImmediate(() => this.commitGroup());
    return promise;
  }

  /** Commits the writes queued by {@linkcode EventQueue.grouped} now (it is done on its own in the next turn). */
  commitGroup(): void {
    const group = this.#group;
    if (group.length === 0) return;
    this.#group = [];
    const failures = new Map<GroupedWrite, unknown>();
    const relaxed = group.every((each) => !each.durable);
    try {
      if (relaxed) this.#db.run("PRAGMA synchronous = NORMAL");
      try {
        this.#db.transaction(() => {
          for (const each of group) {
            try {
              this.#db.transaction(each.write)();
            } catch (error) {
              failures.set(each, error);
            }
          }
        })();
      } finally {
        if (relaxed) this.#db.run("PRAGMA synchronous = FULL");
      }
    } catch (error) {
      // the database failed or was closed: none of the group is written
      for (const each of group) each.reject(error);
      return;
    }
    for (const each of group) {
      if (failures.has(each)) each.reject(failures.get(each));
      else each.resolve();
    }
  }

  /** Commits an event in the next group commit; when the promise resolves, it is on disk. */
  enqueueGrouped(event: NewQueuedEvent): Promise<void> {
    return this.grouped(() => this.enqueue(event), { durable: true });
  }

  /** Runs `write` in one transaction (a savepoint inside another): all of its statements commit, or none does. */
  atomically(write: () => void): void {
    this.#db.transaction(write)();
  }

  /** Commits an event; when this returns, it is on disk. */
  enqueue(event: NewQueuedEvent): void {
    this.#db.query(EVENTS.insert).run(
      ...EVENTS.toParams({
        ...event,
        attempts: 0,
        nextAttemptAt: event.enqueuedAt,
        lastError: null,
        orderingKey: event.orderingKey ?? null,
      }),
    );
  }

  /** Commits several events in one transaction, in order: when this returns, all are on disk, or none is. */
  enqueueAll(events: readonly NewQueuedEvent[]): void {
    this.#db.transaction(() => {
      for (const event of events) this.enqueue(event);
    })();
  }

  /**
   * Up to `limit` events due at `now`, oldest first, skipping the ids in `exclude` (already running). Of the events
   * sharing an ordering key only the first queued can be due: the others wait for it to be gone.
   */
  due(now: number, limit: number, exclude: ReadonlySet<string>): QueuedEvent[] {
    const plain = this.#db.query<Row, [number, number]>(
      `SELECT ${EVENTS.columns} FROM events WHERE ordering_key IS NULL AND next_attempt_at <= ?
       ORDER BY next_attempt_at, enqueued_at LIMIT ?`,
    ).all(now, limit + exclude.size).map(EVENTS.fromRow);
    const heads = this.#heads().filter((event) => event.nextAttemptAt <= now);
    const candidates = heads.length === 0 ? plain : [...plain, ...heads].sort(byDueThenAge);
    return candidates.filter((event) => !exclude.has(event.id)).slice(0, limit);
  }

  /** The earliest time an event can be due (the first of each ordering key), or null when the queue is empty. */
  nextDue(): number | null {
    const plain = this.#db.query<{ at: number | null }, []>(
      "SELECT MIN(next_attempt_at) AS at FROM events WHERE ordering_key IS NULL",
    ).get()?.at ?? null;
    const times = this.#heads().map((event) => event.nextAttemptAt);
    if (plain !== null) times.push(plain);
    return times.length === 0 ? null : Math.min(...times);
  }

  /**
   * The first queued event of each ordering key: one index seek per key (a loose scan of `events_ordered`), so a
   * long line of waiting events costs nothing here.
   */
  #heads(): QueuedEvent[] {
    return this.#db.query<Row, []>(
      `WITH RECURSIVE keys(k) AS (
         SELECT MIN(ordering_key) FROM events WHERE ordering_key IS NOT NULL
         UNION ALL
         SELECT (SELECT MIN(ordering_key) FROM events WHERE ordering_key > k) FROM keys WHERE k IS NOT NULL
       )
       SELECT ${EVENTS.columns} FROM keys JOIN events
         ON events.rowid = (SELECT MIN(rowid) FROM events WHERE ordering_key = keys.k)
       WHERE keys.k IS NOT NULL`,
    ).all().map(EVENTS.fromRow);
  }

  /** Events waiting, in all. */
  size(): number {
    return this.#db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM events").get()?.n ?? 0;
  }

  /** What waits, by function and kind (plain or ordered): one pass over the table, for the metrics' scrape. */
  backlog(): QueueBacklog[] {
    return this.#db.query<
      { functionName: string; ordered: number; count: number; oldestEnqueuedAt: number },
      []
    >(
      `SELECT function_name AS functionName, ordering_key IS NOT NULL AS ordered, COUNT(*) AS count,
         MIN(enqueued_at) AS oldestEnqueuedAt
       FROM events GROUP BY function_name, ordered`,
    ).all().map((row) => ({ ...row, ordered: row.ordered === 1 }));
  }

  /** How many dead letters each function has (functions without any are absent). */
  deadLetterCounts(): Map<string, number> {
    const rows = this.#db.query<{ functionName: string; count: number }, []>(
      "SELECT function_name AS functionName, COUNT(*) AS count FROM dead_letters GROUP BY function_name",
    ).all();
    return new Map(rows.map((row) => [row.functionName, row.count]));
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
      // oldest first, so that letters sharing an ordering key queue again in their first order
      const letters = this.deadLetters(functionName).reverse();
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

function byDueThenAge(a: QueuedEvent, b: QueuedEvent): number {
  return a.nextAttemptAt - b.nextAttemptAt || a.enqueuedAt - b.enqueuedAt;
}
