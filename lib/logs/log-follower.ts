/** @module One reader following a function's log: new lines queued in bounded memory, dropped if it lags. */
import type { LogRecord } from "./log-record.ts";

/** Which lines a reader wants. */
export interface LogFilter {
  /** Only lines at or after this time (ms since the epoch). @default all */
  sinceMs?: number;
  /** Only lines of this invocation. @default all */
  requestId?: string;
}

/** Whether `record` passes `filter`. */
export function matches(record: LogRecord, filter: LogFilter): boolean {
  if (filter.requestId !== undefined && record.requestId !== filter.requestId) return false;
  return filter.sinceMs === undefined || Date.parse(record.time) >= filter.sinceMs;
}

/**
 * The lines written to a function's log since the reader began following it, until it stops. At most
 * `maxBytes` of them wait for the reader: past that the reader is cut off (it gets what was queued, then the
 * end) rather than held in memory without limit.
 */
export class LogFollower {
  readonly #filter: LogFilter;
  readonly #maxBytes: number;
  readonly #onClose: () => void;
  #queue: LogRecord[] = [];
  #bytes = 0;
  #closed = false;
  #overflowed = false;
  #wake: (() => void) | null = null;

  /** Queues lines passing `filter`, up to `maxBytes` of messages; calls `onClose` once when it stops. */
  constructor(filter: LogFilter, maxBytes: number, onClose: () => void) {
    this.#filter = filter;
    this.#maxBytes = maxBytes;
    this.#onClose = onClose;
  }

  /** Whether it was cut off for reading too slowly. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Takes a line just written to the log. */
  push(record: LogRecord): void {
    const wanted = this.#filter.requestId;
    if (this.#closed || (wanted !== undefined && record.requestId !== wanted)) return;
    const size = record.message.length + 128;
    if (this.#bytes + size > this.#maxBytes) {
      this.#overflowed = true;
      this.close();
      return;
    }
    this.#queue.push(record);
    this.#bytes += size;
    this.#wakeUp();
  }

  /** The lines queued since the last call, waiting for one if none is; empty once it has stopped. */
  async next(): Promise<LogRecord[]> {
    while (this.#queue.length === 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    const records = this.#queue;
    this.#queue = [];
    this.#bytes = 0;
    return records;
  }

  /** Stops following: no more lines are queued; a waiting {@linkcode next} returns. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
