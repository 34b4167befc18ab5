/** @module Flags the benchmarks share. */
import * as v from "valibot";

/** A flag's text read as a number > 0 (a whole one when `integer`), with a message naming the flag. */
export const positiveFlag = (flag: string, integer: boolean) =>
  v.pipe(
    v.string(),
    v.transform(Number),
    v.check(
      (n) => Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)),
      (issue) =>
        `'--${flag}' must be ${integer ? "an integer" : "a number"} > 0: current value is ${issue.input}`,
    ),
  );
