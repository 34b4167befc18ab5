/** @module A rollout's pure decisions: reading step specs and thresholds, step sizes, abort evaluation. */
import { describe, expect, test } from "bun:test";
import type { Rollout } from "../../lib/fleet/desired-document.ts";
import {
  evaluateAbort,
  type ExecutionOutcome,
  parsePercentage,
  parseRolloutSpec,
  releasedAt,
  RolloutPlanError,
  stepSizes,
} from "../../lib/fleet/rollout-plan.ts";

type Criteria = Rollout["abortConfig"]["criteriaList"];

function criterion(
  thresholdPercentage: number,
  minNumberOfExecutedThings = 1,
  failureType = "ALL",
): Criteria {
  return [{
    failureType: failureType as Criteria[number]["failureType"],
    action: "CANCEL",
    thresholdPercentage,
    minNumberOfExecutedThings,
  }];
}

function outcomes(...items: ExecutionOutcome[]): Map<string, ExecutionOutcome> {
  return new Map(items.map((outcome, index) => [`d${index}`, outcome]));
}

describe("parseRolloutSpec()", () => {
  test("reads shares, counts and all", () => {
    expect(parseRolloutSpec("10%,50%,100%")).toEqual([{ percent: 10 }, { percent: 50 }, { percent: 100 }]);
    expect(parseRolloutSpec("1, 5, all")).toEqual([{ count: 1 }, { count: 5 }, { all: true }]);
    expect(parseRolloutSpec("12.5%")).toEqual([{ percent: 12.5 }]);
    expect(parseRolloutSpec("2,ALL")).toEqual([{ count: 2 }, { all: true }]);
  });

  test("refuses bad specs with a message naming the step", () => {
    const cases: [string, RegExp][] = [
      ["", /no steps/],
      ["10%,,50%", /step 2 \(""\) must be a share/],
      ["abc", /step 1 \("abc"\) must be a share \(10%\), a count/],
      ["0%", /above 0%/],
      ["150%", /at most 100%/],
      ["50%,10%", /step 2 \("10%"\) must be larger than the share before it/],
      ["5,5", /larger than the count before it/],
      ["0", /at least one device/],
      ["all,5", /comes after a step releasing every device/],
      ["100%,all", /comes after a step releasing every device/],
      ["-1", /must be a share/],
      ["1.5", /must be a share/],
    ];
    for (const [spec, message] of cases) {
      expect(() => parseRolloutSpec(spec)).toThrow(RolloutPlanError);
      expect(() => parseRolloutSpec(spec)).toThrow(message);
    }
  });
});

describe("parsePercentage()", () => {
  test("reads 20%, 20 and 12.25%, and refuses the rest", () => {
    expect(parsePercentage("20%")).toBe(20);
    expect(parsePercentage("20")).toBe(20);
    expect(parsePercentage("12.25%")).toBe(12.25);
    expect(parsePercentage("0%")).toBe(0);
    for (const bad of ["101%", "-5%", "ten", "1.234%", ""]) {
      expect(() => parsePercentage(bad)).toThrow(/must be a percentage from 0% to 100%/);
    }
  });
});

describe("stepSizes()", () => {
  test("a share rounds up, a count is capped at the targets, all is every target", () => {
    expect(stepSizes(parseRolloutSpec("10%,50%,100%"), 20)).toEqual([2, 10, 20]);
    expect(stepSizes(parseRolloutSpec("10%,50%,100%"), 3)).toEqual([1, 2, 3]);
    expect(stepSizes(parseRolloutSpec("1,5,all"), 3)).toEqual([1, 3, 3]);
  });

  test("each step releases at least one more than the step before, while targets remain", () => {
    expect(stepSizes(parseRolloutSpec("1%,2%,3%"), 10)).toEqual([1, 2, 3]);
    expect(stepSizes(parseRolloutSpec("1,2,3,4"), 2)).toEqual([1, 2, 2, 2]);
  });

  test("no targets release nobody", () => {
    expect(stepSizes(parseRolloutSpec("1,all"), 0)).toEqual([0, 0]);
  });
});

describe("releasedAt()", () => {
  test("releases the first of the targets sorted by name, step after step", () => {
    const steps = parseRolloutSpec("1,all");
    const targets = ["pi-03", "pi-01", "pi-02"];
    expect(releasedAt(steps, targets, 0)).toEqual(["pi-01"]);
    expect(releasedAt(steps, targets, 1)).toEqual(["pi-01", "pi-02", "pi-03"]);
    expect(releasedAt(steps, targets, 7)).toEqual(["pi-01", "pi-02", "pi-03"]);
  });
});

describe("evaluateAbort()", () => {
  test("aborts once failures reach the threshold share of executed devices", () => {
    const decision = evaluateAbort(
      criterion(20),
      outcomes("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED"),
    );
    expect(decision.abort).toBe(true);
    expect(decision.reason).toBe("1 of 5 executed device(s) failed (20%, threshold 20%)");
  });

  test("keeps going below the threshold", () => {
    const decision = evaluateAbort(
      criterion(25),
      outcomes("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED"),
    );
    expect(decision).toEqual({ abort: false, reason: null });
  });

  test("waits for the minimum number of executed devices", () => {
    expect(evaluateAbort(criterion(20, 3), outcomes("FAILED", "FAILED")).abort).toBe(false);
    expect(evaluateAbort(criterion(20, 3), outcomes("FAILED", "FAILED", "SUCCEEDED")).abort).toBe(true);
  });

  test("counts the failure types its criterion names: FAILED, TIMED_OUT or ALL", () => {
    const seen = outcomes("TIMED_OUT", "SUCCEEDED");
    expect(evaluateAbort(criterion(50, 1, "FAILED"), seen).abort).toBe(false);
    expect(evaluateAbort(criterion(50, 1, "TIMED_OUT"), seen).abort).toBe(true);
    expect(evaluateAbort(criterion(50, 1, "ALL"), seen).abort).toBe(true);
  });

  test("never aborts without failures, nor without criteria", () => {
    expect(evaluateAbort(criterion(0), outcomes("SUCCEEDED")).abort).toBe(false);
    expect(evaluateAbort([], outcomes("FAILED", "FAILED")).abort).toBe(false);
  });
});
