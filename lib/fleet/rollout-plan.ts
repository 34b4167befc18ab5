/**
 * @module A rollout's pure decisions: its steps read from "10%,50%,100%" or "1,5,all", how many of the sorted
 * targets each step releases, and when the failures seen so far abort it (as AWS IoT Jobs' `abortConfig`).
 */
import type { Rollout, RolloutStep } from "./desired-document.ts";

/** A rollout spec, threshold or count that does not read. */
export class RolloutPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RolloutPlanError";
  }
}

/**
 * Reads a rollout spec: comma-separated steps, each a share (`10%`), a count of devices (`5`) or `all`; the steps
 * grow (a share after a larger share, or a count after a larger count, is refused) and `all` / `100%` come last.
 */
export function parseRolloutSpec(spec: string): RolloutStep[] {
  const parts = spec.split(",").map((part) => part.trim());
  if (parts.length === 0 || parts.every((part) => part === "")) {
    throw new RolloutPlanError("the rollout has no steps (e.g. 10%,50%,100% or 1,5,all)");
  }
  const steps: RolloutStep[] = [];
  let lastPercent = 0;
  let lastCount = 0;
  parts.forEach((part, index) => {
    const where = `step ${index + 1} ("${part}")`;
    if (index > 0 && isFinal(steps[index - 1]!)) {
      throw new RolloutPlanError(`${where} comes after a step releasing every device`);
    }
    if (/^all$/i.test(part)) {
      steps.push({ all: true });
      return;
    }
    const percent = /^(\d+(?:\.\d{1,2})?)\s*%$/.exec(part);
    if (percent) {
      const value = Number(percent[1]);
      if (value <= 0 || value > 100) {
        throw new RolloutPlanError(`${where} must be a share above 0% and at most 100%`);
      }
      if (value <= lastPercent) {
        throw new RolloutPlanError(`${where} must be larger than the share before it`);
      }
      lastPercent = value;
      steps.push({ percent: value });
      return;
    }
    if (/^\d+$/.test(part)) {
      const value = Number(part);
      if (value < 1) throw new RolloutPlanError(`${where} must release at least one device`);
      if (value <= lastCount) throw new RolloutPlanError(`${where} must be larger than the count before it`);
      lastCount = value;
      steps.push({ count: value });
      return;
    }
    throw new RolloutPlanError(`${where} must be a share (10%), a count of devices (5) or all`);
  });
  return steps;
}

function isFinal(step: RolloutStep): boolean {
  return "all" in step || ("percent" in step && step.percent === 100);
}

/** Reads a percentage such as `20%` or `20` (0 to 100, at most two decimals). */
export function parsePercentage(text: string): number {
  const match = /^\s*(\d+(?:\.\d{1,2})?)\s*%?\s*$/.exec(text);
  const value = match ? Number(match[1]) : NaN;
  if (!match || value > 100) throw new RolloutPlanError(`"${text}" must be a percentage from 0% to 100%`);
  return value;
}

/**
 * How many of `targetCount` sorted targets are released once each step is reached (cumulative): a share rounds up,
 * a count is capped at the targets, and each step releases at least one more than the one before while any remain.
 */
export function stepSizes(steps: readonly RolloutStep[], targetCount: number): number[] {
  const sizes: number[] = [];
  let previous = 0;
  for (const step of steps) {
    const wanted = "all" in step
      ? targetCount
      : "percent" in step
      ? Math.ceil(step.percent * targetCount / 100 - 1e-9)
      : step.count;
    const size = Math.min(targetCount, Math.max(wanted, previous + 1));
    sizes.push(size);
    previous = size;
  }
  return sizes;
}

/** The devices released once step `step` (0-based) is reached: the first of the sorted targets. */
export function releasedAt(
  steps: readonly RolloutStep[],
  targets: readonly string[],
  step: number,
): string[] {
  const sorted = [...targets].sort();
  const sizes = stepSizes(steps, sorted.length);
  return sorted.slice(0, sizes[Math.min(step, sizes.length - 1)] ?? 0);
}

/** How a released device's execution of the candidate ended. */
export type ExecutionOutcome = "SUCCEEDED" | "FAILED" | "TIMED_OUT";

/** The abort decision: the first criterion met, or none. */
export interface AbortDecision {
  abort: boolean;
  reason: string | null;
}

/**
 * Whether the executions so far abort the rollout: a criterion is met when at least `minNumberOfExecutedThings`
 * released devices executed and its failures (FAILED, TIMED_OUT or both for ALL) × 100 / executed reach
 * `thresholdPercentage`.
 */
export function evaluateAbort(
  criteria: Rollout["abortConfig"]["criteriaList"],
  outcomes: ReadonlyMap<string, ExecutionOutcome>,
): AbortDecision {
  const executed = outcomes.size;
  for (const criterion of criteria) {
    if (executed < criterion.minNumberOfExecutedThings) continue;
    let failures = 0;
    for (const outcome of outcomes.values()) {
      if (outcome === "SUCCEEDED") continue;
      if (criterion.failureType === "ALL" || criterion.failureType === outcome) failures += 1;
    }
    const percent = failures * 100 / executed;
    if (failures > 0 && percent >= criterion.thresholdPercentage) {
      return {
        abort: true,
        reason: `${failures} of ${executed} executed device(s) failed (${
          Math.round(percent * 100) / 100
        }%, threshold ${criterion.thresholdPercentage}%)`,
      };
    }
  }
  return { abort: false, reason: null };
}
