/** @module The bridge's reconnection backoff: doubling, capped, reset on success. */
import { expect, test } from "bun:test";
import { Backoff } from "../../lib/mqtt/mod.ts";

test("Backoff waits between half and all of a doubling delay, capped at the maximum, and starts over on reset()", () => {
  const backoff = new Backoff(100, 1000);
  const ceilings = [100, 200, 400, 800, 1000, 1000];
  for (const ceiling of ceilings) {
    const wait = backoff.next();
    expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
    expect(wait).toBeLessThanOrEqual(ceiling);
  }
  backoff.reset();
  expect(backoff.next()).toBeLessThanOrEqual(100);
});
