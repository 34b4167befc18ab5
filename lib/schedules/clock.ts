/** @module The time and timers a schedule runner uses: the system's, or a test's. */

/** A source of the time and of timers. */
export interface ScheduleClock {
  /** The time, epoch ms. */
  now(): number;
  /** Calls `callback` once after `delayMs`; returns what {@linkcode ScheduleClock.clearTimer} takes. */
  setTimer(callback: () => void, delayMs: number): unknown;
  /** Cancels a timer that has not run. */
  clearTimer(timer: unknown): void;
}

/** The system clock and `setTimeout`. */
export const SYSTEM_CLOCK: ScheduleClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};
