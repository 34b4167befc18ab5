/** @module The error of a schedule expression that does not parse. */

/** Thrown when a `rate()`, `cron()` or `at()` expression is malformed; the message names the bad field and why. */
export class ScheduleExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScheduleExpressionError";
  }
}
