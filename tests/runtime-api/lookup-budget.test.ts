/** @module The budget of peer lookups: a burst, then a steady rate, never more. */
import { describe, expect, test } from "bun:test";
import { LookupBudget } from "../../lib/runtime-api/mod.ts";

describe("LookupBudget", () => {
  test("take() allows the burst at once, then refills at its rate, never above the burst", () => {
    let now = 0;
    const budget = new LookupBudget({ perSecond: 10, burst: 3, now: () => now });
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    now += 100; // one lookup's worth at 10 a second
    expect([budget.take(), budget.take()]).toEqual([true, false]);
    now += 60_000; // a long quiet spell refills up to the burst only
    expect(Array.from({ length: 5 }, () => budget.take())).toEqual([true, true, true, false, false]);
  });
});
