/** @module Schedules wired to the control plane: each fire is an Event invocation of the function's `$LATEST`. */
import { ScheduleRunner, type ScheduleStatus } from "../schedules/mod.ts";
import { LATEST } from "../store/mod.ts";
import { functionArn } from "./arn.ts";
import type { PartDeps } from "./deps.ts";
import type { Invocations } from "./invocations.ts";

/** The functions' schedules, as the control plane runs them. */
export interface Schedules {
  /** Every schedule with its next and last fire times. */
  status(): ScheduleStatus[];
  /** Arms every schedule (after the Event queue has started) and follows function changes. */
  start(): void;
  /** Cancels every timer and stops following changes. */
  stop(): void;
}

/**
 * Builds the schedule runner over the store: a fire queues the Scheduled Event as an Event invocation of `$LATEST`
 * (retries, maximum age, destinations and dead letters then apply), and every change to a function re-reads its
 * schedules.
 */
export function createSchedules(
  deps: Pick<PartDeps, "store" | "changes" | "region" | "accountId">,
  invocations: Pick<Invocations, "enqueue">,
): Schedules {
  const runner = new ScheduleRunner({
    store: deps.store,
    fire: (functionName, payload) =>
      invocations.enqueue({
        id: crypto.randomUUID(),
        functionName,
        version: LATEST,
        invokedArn: functionArn(deps.region, deps.accountId, functionName),
        payload,
        clientContext: null,
        enqueuedAt: Date.now(),
      }),
  }, { region: deps.region, accountId: deps.accountId });
  let unsubscribe: (() => void) | undefined;
  return {
    status: () => runner.status(),
    start() {
      unsubscribe ??= deps.changes.subscribe((name) => runner.refresh(name));
      runner.start();
    },
    stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      runner.stop();
    },
  };
}
