/**
 * @module Schedules: EventBridge's `rate()`, `cron()` and `at()` expressions in a time zone, and the runner that
 * hands each function's Scheduled Events on at their times, once each.
 */
export { type ScheduleClock, SYSTEM_CLOCK } from "./clock.ts";
export { cronMatchesDay, type CronSchedule } from "./cron.ts";
export {
  type FireTimeOptions,
  lastFireTimeBetween,
  nextFireTime,
  parseScheduleExpression,
  type ScheduleExpression,
} from "./expression.ts";
export { ScheduleExpressionError } from "./expression-error.ts";
export {
  ScheduleRunner,
  type ScheduleRunnerDeps,
  type ScheduleRunnerOptions,
  type ScheduleStatus,
} from "./runner.ts";
export { eventTime, scheduleArn, scheduledEvent, type ScheduledEventFields } from "./scheduled-event.ts";
