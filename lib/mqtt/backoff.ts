/** @module Capped exponential backoff with jitter: how long to wait before the next connection attempt. */

/** The waits between connection attempts: from `minMs`, doubling on each failure up to `maxMs`, reset on success. */
export class Backoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  #failures = 0;

  constructor(minMs: number, maxMs: number) {
    this.#minMs = minMs;
    this.#maxMs = Math.max(minMs, maxMs);
  }

  /**
   * The wait before the next attempt, in ms: the capped doubling, of which the upper half is random, so that many
   * devices cut off together do not all come back at the same instant.
   */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#minMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return ceiling / 2 + Math.random() * ceiling / 2;
  }

  /** Starts again from the shortest wait (after a connection succeeded). */
  reset(): void {
    this.#failures = 0;
  }
}
