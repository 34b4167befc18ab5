/**
 * @module Schedule expressions in EventBridge's syntax (`rate(5 minutes)`, `cron(0 12 * * ? *)`,
 * `at(2026-12-01T08:00:00)`): parsing, the next fire time after an instant, and the last one missed.
 */
import { type CronSchedule, nextCronTime, parseCron } from "./cron.ts";
import { ScheduleExpressionError } from "./expression-error.ts";
import { instantsOf, offsetAt } from "./time-zone.ts";

/** A parsed schedule expression. */
export type ScheduleExpression =
  | { kind: "rate"; periodMs: number }
  | { kind: "cron"; cron: CronSchedule }
  | { kind: "at"; wallMs: number };

/** Where a schedule's times are computed. */
export interface FireTimeOptions {
  /** The IANA time zone `cron` and `at` are read in (`rate` ignores it). */
  timezone: string;
  /** Epoch ms a `rate` counts its periods from (when the schedule was first seen). */
  anchor: number;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MAX_RATE_VALUE = 1_000_000;

function parseRate(body: string): ScheduleExpression {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(body);
  if (!match) {
    throw new ScheduleExpressionError(`rate needs 'value unit', such as rate(5 minutes): found '${body}'`);
  }
  const [, valueText = "", unit = ""] = match;
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1 || Number(valueText) > MAX_RATE_VALUE) {
    throw new ScheduleExpressionError(
      `rate value '${valueText}' must be a whole number from 1 to ${MAX_RATE_VALUE}`,
    );
  }
  const value = Number(valueText);
  const singular = unit.replace(/s$/, "");
  const unitMs = UNIT_MS[singular];
  if (unitMs === undefined) {
    throw new ScheduleExpressionError(`rate unit '${unit}' must be minute(s), hour(s) or day(s)`);
  }
  const expected = value === 1 ? singular : `${singular}s`;
  if (unit !== expected) {
    throw new ScheduleExpressionError(`rate unit '${unit}' must be '${expected}' for the value ${value}`);
  }
  return { kind: "rate", periodMs: value * unitMs };
}

function parseAt(body: string): ScheduleExpression {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) {
    throw new ScheduleExpressionError(
      `at needs yyyy-mm-ddThh:mm:ss, such as at(2026-12-01T08:00:00): found '${body}'`,
    );
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(wallMs);
  if (
    date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59
  ) {
    throw new ScheduleExpressionError(`at time '${body}' is not a real date and time`);
  }
  return { kind: "at", wallMs };
}

/**
 * Parses a schedule expression. Throws {@linkcode ScheduleExpressionError} whose message says which part is wrong
 * (`rate unit 'minutes' must be 'minute' for the value 1`, `cron day-of-week field '8' has 8: must be 1-7 or SUN-SAT`).
 */
export function parseScheduleExpression(text: string): ScheduleExpression {
  const match = /^(rate|cron|at)\((.*)\)$/.exec(text.trim());
  if (!match) {
    throw new ScheduleExpressionError(
      `'${text}' must be rate(value unit), cron(fields) or at(yyyy-mm-ddThh:mm:ss)`,
    );
  }
  const [, kind, body = ""] = match;
  if (kind === "rate") return parseRate(body);
  if (kind === "cron") return { kind: "cron", cron: parseCron(body) };
  return parseAt(body);
}

/** The instant of an `at()` wall time in `zone`; a time skipped by a change to summer time is read with the offset before it. */
function atInstant(wallMs: number, zone: string): number {
  return instantsOf(zone, wallMs)[0] ?? wallMs - offsetAt(zone, wallMs - 86_400_000);
}

/** The first time after `after` (epoch ms) at which `expression` fires, or null when it never fires again. */
export function nextFireTime(
  expression: ScheduleExpression,
  after: number,
  options: FireTimeOptions,
): number | null {
  switch (expression.kind) {
    case "rate": {
      const periods = Math.max(0, Math.floor((after - options.anchor) / expression.periodMs)) + 1;
      return options.anchor + periods * expression.periodMs;
    }
    case "cron":
      return nextCronTime(expression.cron, after, options.timezone);
    case "at": {
      const instant = atInstant(expression.wallMs, options.timezone);
      return instant > after ? instant : null;
    }
  }
}

/** Windows searched, widening, for the last fire time before now: most schedules fire within the first. */
const LOOK_BACK_MS = [3_600_000, 86_400_000, 32 * 86_400_000, 367 * 86_400_000];

/** The last time in `(since, now]` at which `expression` fires, or null when there is none. */
export function lastFireTimeBetween(
  expression: ScheduleExpression,
  since: number,
  now: number,
  options: FireTimeOptions,
): number | null {
  if (now <= since) return null;
  if (expression.kind === "rate") {
    const periods = Math.floor((now - options.anchor) / expression.periodMs);
    const last = options.anchor + periods * expression.periodMs;
    return periods >= 1 && last > since ? last : null;
  }
  for (const window of [...LOOK_BACK_MS, now - since]) {
    let found: number | null = null;
    let next = nextFireTime(expression, Math.max(since, now - window), options);
    while (next !== null && next <= now) {
      found = next;
      next = nextFireTime(expression, next, options);
    }
    if (found !== null) return found;
    if (window >= now - since) return null;
  }
  return null;
}
