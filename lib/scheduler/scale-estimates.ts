/** @module What a pool has measured of its function: how long an invocation and a cold start take. */

/** Until a start has been measured, what a cold start is taken to cost, in ms. */
export const DEFAULT_COLD_START_MS = 100;

/** Weight of the newest measurement in the moving averages. */
const WEIGHT = 0.2;

/** Moving averages of a pool's invocation times and worker start times. */
export class ScaleEstimates {
  #durationMs: number | undefined;
  #coldStartMs: number | undefined;

  /** The average invocation time in ms, once one has ended. */
  get durationMs(): number | undefined {
    return this.#durationMs;
  }

  /** The average time a worker takes to start, in ms ({@linkcode DEFAULT_COLD_START_MS} until measured). */
  get coldStartMs(): number {
    return this.#coldStartMs ?? DEFAULT_COLD_START_MS;
  }

  /** Records an invocation's time on a warm worker. */
  ran(ms: number): void {
    this.#durationMs = this.#durationMs === undefined
      ? ms
      : this.#durationMs + WEIGHT * (ms - this.#durationMs);
  }

  /** Records a worker's start time. */
  started(ms: number): void {
    this.#coldStartMs = this.#coldStartMs === undefined
      ? ms
      : this.#coldStartMs + WEIGHT * (ms - this.#coldStartMs);
  }
}
