/**
 * @module EventBridge's six-field cron dialect (`minutes hours day-of-month month day-of-week year`): parsing, and
 * the next time it names after an instant in a time zone.
 */
import { ScheduleExpressionError } from "./expression-error.ts";
import { instantsOf, wallMsOf } from "./time-zone.ts";

/** Which days of the month a cron names. */
export type DayOfMonthRule =
  | { kind: "unspecified" }
  | { kind: "days"; days: ReadonlySet<number> }
  | { kind: "last" }
  | { kind: "nearestWeekday"; day: number }
  | { kind: "lastWeekday" };

/** Which days of the week a cron names (1 = Sunday … 7 = Saturday). */
export type DayOfWeekRule =
  | { kind: "unspecified" }
  | { kind: "days"; days: ReadonlySet<number> }
  | { kind: "lastOfMonth"; day: number }
  | { kind: "nthOfMonth"; day: number; nth: number };

/** A parsed cron expression. */
export interface CronSchedule {
  /** Minutes 0-59, ascending. */
  minutes: number[];
  /** Hours 0-23, ascending. */
  hours: number[];
  daysOfMonth: DayOfMonthRule;
  /** Months 1-12. */
  months: ReadonlySet<number>;
  daysOfWeek: DayOfWeekRule;
  /** Years 1970-2199. */
  years: ReadonlySet<number>;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MINUTES: FieldSpec = { name: "minutes", min: 0, max: 59 };
const HOURS: FieldSpec = { name: "hours", min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: "day-of-month", min: 1, max: 31 };
const MONTH: FieldSpec = {
  name: "month",
  min: 1,
  max: 12,
  names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
};
const DAY_OF_WEEK: FieldSpec = {
  name: "day-of-week",
  min: 1,
  max: 7,
  names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};
const YEAR: FieldSpec = { name: "year", min: 1970, max: 2199 };

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** More than any daylight-saving shift: how far before an instant's wall time a later instant's wall time can be. */
const LARGEST_SHIFT_MS = 3 * HOUR_MS;

function fail(spec: FieldSpec, text: string, why: string): never {
  throw new ScheduleExpressionError(`cron ${spec.name} field '${text}' ${why}`);
}

function rangeText(spec: FieldSpec): string {
  const names = spec.names ? ` or ${spec.names[0]}-${spec.names.at(-1)}` : "";
  return `${spec.min}-${spec.max}${names}`;
}

function parseValue(spec: FieldSpec, field: string, text: string): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(text)) fail(spec, field, `has '${text}' where a value ${rangeText(spec)} was expected`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) fail(spec, field, `has ${value}: must be ${rangeText(spec)}`);
  return value;
}

/** Values of a list of `*`, `a`, `a-b`, each optionally `/step`, joined by `,`. */
function parseList(spec: FieldSpec, field: string): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(",")) {
    if (item === "") fail(spec, field, "has an empty list item");
    const [range = "", step, ...extra] = item.split("/");
    if (extra.length > 0) fail(spec, field, `has more than one '/' in '${item}'`);
    let increment = 1;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) < 1) {
        fail(spec, field, `has step '${step}': must be a whole number ≥ 1`);
      }
      increment = Number(step);
    }
    let first = spec.min;
    let last = spec.max;
    if (range !== "*") {
      const [from = "", to, ...more] = range.split("-");
      if (more.length > 0 || from === "" || to === "") fail(spec, field, `has a malformed range '${range}'`);
      first = parseValue(spec, field, from);
      last = to === undefined ? (step === undefined ? first : spec.max) : parseValue(spec, field, to);
      if (first > last) fail(spec, field, `has the range '${range}' whose start is after its end`);
    }
    for (let value = first; value <= last; value += increment) values.add(value);
  }
  return values;
}

function parseDayOfMonth(field: string): DayOfMonthRule {
  const upper = field.toUpperCase();
  if (upper === "?") return { kind: "unspecified" };
  if (upper === "L") return { kind: "last" };
  if (upper === "LW") return { kind: "lastWeekday" };
  const weekday = /^(\d+)W$/.exec(upper);
  if (weekday) return { kind: "nearestWeekday", day: parseValue(DAY_OF_MONTH, field, weekday[1]!) };
  if (/[LW?]/.test(upper)) {
    fail(DAY_OF_MONTH, field, "uses L, W or ? wrongly: they stand alone as ?, L, LW or nW (such as 15W)");
  }
  return { kind: "days", days: parseList(DAY_OF_MONTH, field) };
}

function parseDayOfWeek(field: string): DayOfWeekRule {
  const upper = field.toUpperCase();
  if (upper === "?") return { kind: "unspecified" };
  if (upper === "L") return { kind: "days", days: new Set([7]) };
  const last = /^(\w+)L$/.exec(upper);
  if (last) return { kind: "lastOfMonth", day: parseValue(DAY_OF_WEEK, field, last[1]!) };
  const nth = /^(\w+)#(\d+)$/.exec(upper);
  if (nth) {
    const count = Number(nth[2]);
    if (count < 1 || count > 5) fail(DAY_OF_WEEK, field, `asks for occurrence ${count}: must be 1-5`);
    return { kind: "nthOfMonth", day: parseValue(DAY_OF_WEEK, field, nth[1]!), nth: count };
  }
  if (/[L#?]/.test(upper)) {
    fail(
      DAY_OF_WEEK,
      field,
      "uses L, # or ? wrongly: they stand alone as ?, L, nL (such as 6L) or n#k (such as 2#1)",
    );
  }
  return { kind: "days", days: parseList(DAY_OF_WEEK, field) };
}

/** Parses the six fields inside `cron(...)`; throws {@linkcode ScheduleExpressionError} naming the bad field. */
export function parseCron(body: string): CronSchedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      `cron needs 6 fields (minutes hours day-of-month month day-of-week year): found ${fields.length} in '${body}'`,
    );
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (minutes === "?" || hours === "?" || month === "?" || year === "?") {
    throw new ScheduleExpressionError("cron allows ? only in the day-of-month and day-of-week fields");
  }
  const daysOfMonth = parseDayOfMonth(dayOfMonth);
  const daysOfWeek = parseDayOfWeek(dayOfWeek);
  if ((daysOfMonth.kind === "unspecified") === (daysOfWeek.kind === "unspecified")) {
    throw new ScheduleExpressionError(
      `cron needs exactly one of day-of-month ('${dayOfMonth}') and day-of-week ('${dayOfWeek}') to be ?`,
    );
  }
  return {
    minutes: [...parseList(MINUTES, minutes)].sort((a, b) => a - b),
    hours: [...parseList(HOURS, hours)].sort((a, b) => a - b),
    daysOfMonth,
    months: parseList(MONTH, month),
    daysOfWeek,
    years: parseList(YEAR, year),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function dayOfMonthMatches(rule: DayOfMonthRule, year: number, month: number, day: number): boolean {
  const length = daysInMonth(year, month);
  switch (rule.kind) {
    case "unspecified":
      return true;
    case "days":
      return rule.days.has(day);
    case "last":
      return day === length;
    case "lastWeekday": {
      const weekday = weekdayOf(year, month, length);
      return day === length - (weekday === 1 ? 2 : weekday === 7 ? 1 : 0);
    }
    case "nearestWeekday": {
      if (rule.day > length) return false;
      const weekday = weekdayOf(year, month, rule.day);
      // the weekday nearest to the day, never leaving the month
      let target = rule.day;
      if (weekday === 7) target = rule.day === 1 ? 3 : rule.day - 1;
      if (weekday === 1) target = rule.day === length ? rule.day - 2 : rule.day + 1;
      return day === target;
    }
  }
}

function dayOfWeekMatches(rule: DayOfWeekRule, year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  switch (rule.kind) {
    case "unspecified":
      return true;
    case "days":
      return rule.days.has(weekday);
    case "lastOfMonth":
      return weekday === rule.day && day + 7 > daysInMonth(year, month);
    case "nthOfMonth":
      return weekday === rule.day && Math.ceil(day / 7) === rule.nth;
  }
}

/** Whether `cron` names the calendar day (month 1-12). */
export function cronMatchesDay(cron: CronSchedule, year: number, month: number, day: number): boolean {
  return cron.years.has(year) && cron.months.has(month) &&
    dayOfMonthMatches(cron.daysOfMonth, year, month, day) &&
    dayOfWeekMatches(cron.daysOfWeek, year, month, day);
}

/**
 * The first instant after `after` (epoch ms) at which `cron` fires in `zone`, or null when it never fires again.
 * A wall time that a change to summer time skips does not fire; one that the change back repeats fires once, at
 * its first occurrence (as EventBridge Scheduler does).
 */
export function nextCronTime(cron: CronSchedule, after: number, zone: string): number | null {
  const earliest = wallMsOf(zone, after) - LARGEST_SHIFT_MS;
  const lastYear = Math.max(...cron.years);
  let dayStart = earliest - (((earliest % DAY_MS) + DAY_MS) % DAY_MS);
  for (;;) {
    const date = new Date(dayStart);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    if (year > lastYear) return null;
    if (!cron.years.has(year)) {
      dayStart = Date.UTC(year + 1, 0, 1);
      continue;
    }
    if (!cron.months.has(month)) {
      dayStart = Date.UTC(year, month, 1);
      continue;
    }
    if (cronMatchesDay(cron, year, month, date.getUTCDate())) {
      for (const hour of cron.hours) {
        for (const minute of cron.minutes) {
          const wall = dayStart + hour * HOUR_MS + minute * MINUTE_MS;
          if (wall < earliest) continue;
          const first = instantsOf(zone, wall)[0];
          if (first !== undefined && first > after) return first;
        }
      }
    }
    dayStart += DAY_MS;
  }
}
