import { describe, expect, test } from "bun:test";
import {
  lastFireTimeBetween,
  nextFireTime,
  parseScheduleExpression,
  ScheduleExpressionError,
} from "../../lib/schedules/mod.ts";

/** The next fire time of `expression` after the ISO instant `after`, as ISO, or null. */
function next(expression: string, after: string, timezone = "UTC", anchor = after): string | null {
  const time = nextFireTime(parseScheduleExpression(expression), Date.parse(after), {
    timezone,
    anchor: Date.parse(anchor),
  });
  return time === null ? null : new Date(time).toISOString().replace(".000Z", "Z");
}

/** The fire times of `expression` following `after`, `count` of them. */
function following(expression: string, after: string, count: number, timezone = "UTC"): string[] {
  const times: string[] = [];
  let from = after;
  for (let index = 0; index < count; index++) {
    const found = next(expression, from, timezone);
    if (found === null) break;
    times.push(found);
    from = found;
  }
  return times;
}

function refusal(expression: string): string {
  try {
    parseScheduleExpression(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    return (error as Error).message;
  }
  throw new Error(`${expression} parsed`);
}

describe("rate()", () => {
  test("rate(5 minutes) fires every five minutes from its anchor", () => {
    expect(following("rate(5 minutes)", "2026-11-29T10:00:00Z", 3)).toEqual([
      "2026-11-29T10:05:00Z",
      "2026-11-29T10:10:00Z",
      "2026-11-29T10:15:00Z",
    ]);
    expect(next("rate(5 minutes)", "2026-11-29T10:07:00Z", "UTC", "2026-11-29T10:00:30Z")).toBe(
      "2026-11-29T10:10:30Z",
    );
  });

  test("singular units for 1 and plural ones otherwise, in minutes, hours and days", () => {
    expect(parseScheduleExpression("rate(1 minute)")).toEqual({ kind: "rate", periodMs: 60_000 });
    expect(parseScheduleExpression("rate(2 hours)")).toEqual({ kind: "rate", periodMs: 7_200_000 });
    expect(parseScheduleExpression("rate(1 day)")).toEqual({ kind: "rate", periodMs: 86_400_000 });
    expect(refusal("rate(1 minutes)")).toBe("rate unit 'minutes' must be 'minute' for the value 1");
    expect(refusal("rate(5 hour)")).toBe("rate unit 'hour' must be 'hours' for the value 5");
  });

  test("a value that is not a positive whole number, or another unit, is refused", () => {
    expect(refusal("rate(0 minutes)")).toMatch(/^rate value '0' must be a whole number/);
    expect(refusal("rate(1.5 hours)")).toMatch(/^rate value '1.5'/);
    expect(refusal("rate(3 weeks)")).toBe("rate unit 'weeks' must be minute(s), hour(s) or day(s)");
    expect(refusal("rate(5)")).toMatch(/^rate needs 'value unit'/);
  });

  test("a rate ignores the time zone and daylight saving time: a day is 24 hours", () => {
    expect(next("rate(1 day)", "2026-03-28T12:00:00Z", "Europe/Paris")).toBe("2026-03-29T12:00:00Z");
  });
});

describe("cron() fields", () => {
  test("single values: every day at 12:00", () => {
    expect(following("cron(0 12 * * ? *)", "2026-11-29T13:00:00Z", 2)).toEqual([
      "2026-11-30T12:00:00Z",
      "2026-12-01T12:00:00Z",
    ]);
  });

  test("lists with , in minutes and hours", () => {
    expect(following("cron(0,30 8,17 * * ? *)", "2026-11-29T08:10:00Z", 4)).toEqual([
      "2026-11-29T08:30:00Z",
      "2026-11-29T17:00:00Z",
      "2026-11-29T17:30:00Z",
      "2026-11-30T08:00:00Z",
    ]);
  });

  test("ranges with - and day names: weekdays at 09:00 (2026-11-28 is a Saturday)", () => {
    expect(following("cron(0 9 ? * MON-FRI *)", "2026-11-28T10:00:00Z", 2)).toEqual([
      "2026-11-30T09:00:00Z",
      "2026-12-01T09:00:00Z",
    ]);
    expect(next("cron(0 9 ? * 2-6 *)", "2026-11-28T10:00:00Z")).toBe("2026-11-30T09:00:00Z");
  });

  test("steps with /: from a start, from *, and within a range", () => {
    expect(following("cron(0/15 * * * ? *)", "2026-11-29T10:07:00Z", 2)).toEqual([
      "2026-11-29T10:15:00Z",
      "2026-11-29T10:30:00Z",
    ]);
    expect(following("cron(5/20 * * * ? *)", "2026-11-29T10:30:00Z", 3)).toEqual([
      "2026-11-29T10:45:00Z",
      "2026-11-29T11:05:00Z",
      "2026-11-29T11:25:00Z",
    ]);
    expect(next("cron(*/10 * * * ? *)", "2026-11-29T10:41:00Z")).toBe("2026-11-29T10:50:00Z");
    expect(following("cron(0 8-12/2 * * ? *)", "2026-11-29T08:00:00Z", 3)).toEqual([
      "2026-11-29T10:00:00Z",
      "2026-11-29T12:00:00Z",
      "2026-11-30T08:00:00Z",
    ]);
  });

  test("month names and numbers", () => {
    expect(next("cron(0 0 1 JAN,JUL ? *)", "2026-11-29T00:00:00Z")).toBe("2027-01-01T00:00:00Z");
    expect(next("cron(0 0 1 7 ? *)", "2026-11-29T00:00:00Z")).toBe("2027-07-01T00:00:00Z");
    expect(next("cron(0 0 1 jan ? *)", "2026-11-29T00:00:00Z")).toBe("2027-01-01T00:00:00Z");
  });

  test("day-of-week numbers run 1 (SUN) to 7 (SAT)", () => {
    expect(next("cron(0 10 ? * 1 *)", "2026-11-28T00:00:00Z")).toBe("2026-11-29T10:00:00Z");
    expect(next("cron(0 10 ? * SUN *)", "2026-11-28T00:00:00Z")).toBe("2026-11-29T10:00:00Z");
    expect(next("cron(0 10 ? * 7 *)", "2026-11-29T00:00:00Z")).toBe("2026-12-05T10:00:00Z");
  });

  test("L in day-of-month is the month's last day, leap years included", () => {
    expect(next("cron(0 0 L * ? *)", "2027-02-01T00:00:00Z")).toBe("2027-02-28T00:00:00Z");
    expect(next("cron(0 0 L * ? *)", "2028-02-01T00:00:00Z")).toBe("2028-02-29T00:00:00Z");
  });

  test("W is the nearest weekday within the month, LW the last weekday", () => {
    // 2026-08-01 is a Saturday: the nearest weekday in August is Monday the 3rd
    expect(next("cron(0 0 1W * ? *)", "2026-07-15T00:00:00Z")).toBe("2026-08-03T00:00:00Z");
    // 2026-02-28 is a Saturday: Friday the 27th
    expect(next("cron(0 0 28W * ? *)", "2026-02-01T00:00:00Z")).toBe("2026-02-27T00:00:00Z");
    // 2026-05-31 is a Sunday: the last weekday is Friday the 29th
    expect(next("cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z")).toBe("2026-05-29T00:00:00Z");
    // a weekday is itself
    expect(next("cron(0 0 30W * ? *)", "2026-11-01T00:00:00Z")).toBe("2026-11-30T00:00:00Z");
  });

  test("nL is the month's last such weekday, n#k its k-th, L alone Saturday", () => {
    expect(next("cron(0 0 ? * 6L *)", "2026-11-01T00:00:00Z")).toBe("2026-11-27T00:00:00Z");
    expect(next("cron(0 0 ? * FRIL *)", "2026-11-01T00:00:00Z")).toBe("2026-11-27T00:00:00Z");
    expect(next("cron(0 0 ? * 2#1 *)", "2026-11-29T00:00:00Z")).toBe("2026-12-07T00:00:00Z");
    expect(next("cron(0 0 ? * MON#1 *)", "2026-11-29T00:00:00Z")).toBe("2026-12-07T00:00:00Z");
    expect(next("cron(0 0 ? * L *)", "2026-11-29T00:00:00Z")).toBe("2026-12-05T00:00:00Z");
  });

  test("the year field: single years, ranges with steps, and none left", () => {
    expect(next("cron(0 0 1 1 ? 2030)", "2026-11-29T00:00:00Z")).toBe("2030-01-01T00:00:00Z");
    expect(following("cron(0 0 1 1 ? 2027-2031/2)", "2026-11-29T00:00:00Z", 4)).toEqual([
      "2027-01-01T00:00:00Z",
      "2029-01-01T00:00:00Z",
      "2031-01-01T00:00:00Z",
    ]);
    expect(next("cron(0 0 1 1 ? 2020)", "2026-11-29T00:00:00Z")).toBeNull();
    expect(next("cron(0 0 30 2 ? *)", "2026-11-29T00:00:00Z")).toBeNull();
  });
});

describe("cron() errors name the field", () => {
  test.each([
    [
      "cron(0 12 * * ?)",
      "cron needs 6 fields (minutes hours day-of-month month day-of-week year): found 5 in '0 12 * * ?'",
    ],
    ["cron(60 12 * * ? *)", "cron minutes field '60' has 60: must be 0-59"],
    ["cron(0 24 * * ? *)", "cron hours field '24' has 24: must be 0-23"],
    ["cron(0 12 32 * ? *)", "cron day-of-month field '32' has 32: must be 1-31"],
    ["cron(0 12 * 13 ? *)", "cron month field '13' has 13: must be 1-12 or JAN-DEC"],
    ["cron(0 12 ? * 8 *)", "cron day-of-week field '8' has 8: must be 1-7 or SUN-SAT"],
    [
      "cron(0 12 ? * FUN *)",
      "cron day-of-week field 'FUN' has 'FUN' where a value 1-7 or SUN-SAT was expected",
    ],
    ["cron(0 12 * * ? 1969)", "cron year field '1969' has 1969: must be 1970-2199"],
    ["cron(0 12 * * * *)", "cron needs exactly one of day-of-month ('*') and day-of-week ('*') to be ?"],
    ["cron(0 12 ? * ? *)", "cron needs exactly one of day-of-month ('?') and day-of-week ('?') to be ?"],
    ["cron(? 12 * * ? *)", "cron allows ? only in the day-of-month and day-of-week fields"],
    ["cron(0/0 12 * * ? *)", "cron minutes field '0/0' has step '0': must be a whole number ≥ 1"],
    ["cron(0 12-8 * * ? *)", "cron hours field '12-8' has the range '12-8' whose start is after its end"],
    ["cron(0 1,,2 * * ? *)", "cron hours field '1,,2' has an empty list item"],
    [
      "cron(0 12 W * ? *)",
      "cron day-of-month field 'W' uses L, W or ? wrongly: they stand alone as ?, L, LW or nW (such as 15W)",
    ],
    ["cron(0 12 ? * 2#6 *)", "cron day-of-week field '2#6' asks for occurrence 6: must be 1-5"],
  ])("%s", (expression, message) => {
    expect(refusal(expression)).toBe(message);
  });

  test("an expression of another form", () => {
    expect(refusal("every(5 minutes)")).toBe(
      "'every(5 minutes)' must be rate(value unit), cron(fields) or at(yyyy-mm-ddThh:mm:ss)",
    );
  });
});

describe("time zones and daylight saving time (Europe/Paris)", () => {
  test("a cron is read in its time zone: 12:00 in Paris is 11:00 UTC in winter, 10:00 in summer", () => {
    expect(next("cron(0 12 * * ? *)", "2026-11-29T12:00:00Z", "Europe/Paris")).toBe("2026-11-30T11:00:00Z");
    expect(next("cron(0 12 * * ? *)", "2026-07-01T00:00:00Z", "Europe/Paris")).toBe("2026-07-01T10:00:00Z");
  });

  test("a time the change to summer time skips (2026-03-29 02:30) does not fire that day", () => {
    expect(following("cron(30 2 * * ? *)", "2026-03-28T12:00:00Z", 2, "Europe/Paris")).toEqual([
      "2026-03-30T00:30:00Z",
      "2026-03-31T00:30:00Z",
    ]);
    expect(following("cron(0 * * * ? *)", "2026-03-29T00:30:00Z", 2, "Europe/Paris")).toEqual([
      "2026-03-29T01:00:00Z",
      "2026-03-29T02:00:00Z",
    ]);
  });

  test("a time the change back repeats (2026-10-25 02:30) fires once, at its first occurrence", () => {
    expect(following("cron(30 2 * * ? *)", "2026-10-24T12:00:00Z", 2, "Europe/Paris")).toEqual([
      "2026-10-25T00:30:00Z",
      "2026-10-26T01:30:00Z",
    ]);
    // after 02:45 CEST, the repeated 02:00 and 02:30 CET are not fired again: next is 03:00 CET
    expect(next("cron(0/30 * * * ? *)", "2026-10-25T00:45:00Z", "Europe/Paris")).toBe("2026-10-25T02:00:00Z");
  });
});

describe("at()", () => {
  test("fires once, at the wall time in its time zone", () => {
    expect(next("at(2026-12-01T08:00:00)", "2026-11-29T00:00:00Z", "Europe/Paris")).toBe(
      "2026-12-01T07:00:00Z",
    );
    expect(next("at(2026-12-01T08:00:00)", "2026-12-01T07:00:00Z", "Europe/Paris")).toBeNull();
    expect(next("at(2026-12-01T08:00:00)", "2026-11-29T00:00:00Z")).toBe("2026-12-01T08:00:00Z");
  });

  test("a time skipped by the change to summer time fires just after it", () => {
    expect(next("at(2026-03-29T02:30:00)", "2026-01-01T00:00:00Z", "Europe/Paris")).toBe(
      "2026-03-29T01:30:00Z",
    );
  });

  test("a malformed or impossible time is refused", () => {
    expect(refusal("at(2026-12-01 08:00)")).toBe(
      "at needs yyyy-mm-ddThh:mm:ss, such as at(2026-12-01T08:00:00): found '2026-12-01 08:00'",
    );
    expect(refusal("at(2026-02-30T08:00:00)")).toBe(
      "at time '2026-02-30T08:00:00' is not a real date and time",
    );
    expect(refusal("at(2026-12-01T24:00:00)")).toBe(
      "at time '2026-12-01T24:00:00' is not a real date and time",
    );
  });
});

describe("lastFireTimeBetween()", () => {
  const utc = (iso: string) => Date.parse(iso);

  test("finds the last time a rate fired in a window, or none", () => {
    const rate = parseScheduleExpression("rate(5 minutes)");
    const options = { timezone: "UTC", anchor: utc("2026-11-29T10:00:00Z") };
    expect(lastFireTimeBetween(rate, utc("2026-11-29T10:00:00Z"), utc("2026-11-29T10:17:00Z"), options)).toBe(
      utc("2026-11-29T10:15:00Z"),
    );
    expect(lastFireTimeBetween(rate, utc("2026-11-29T10:15:00Z"), utc("2026-11-29T10:17:00Z"), options))
      .toBeNull();
  });

  test("finds the last time a cron fired, even long ago", () => {
    const cron = parseScheduleExpression("cron(0 9 1 JAN ? *)");
    const options = { timezone: "UTC", anchor: 0 };
    expect(lastFireTimeBetween(cron, utc("2020-06-01T00:00:00Z"), utc("2026-11-29T00:00:00Z"), options)).toBe(
      utc("2026-01-01T09:00:00Z"),
    );
    expect(lastFireTimeBetween(cron, utc("2026-01-01T09:00:00Z"), utc("2026-11-29T00:00:00Z"), options))
      .toBeNull();
  });
});
