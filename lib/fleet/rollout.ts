/**
 * @module Drives a group's rollout: releases its sorted live devices step by step, counts each released device's
 * execution of the candidate, aborts past the threshold (released devices return to stable) and, after the last
 * step, makes the candidate the group's stable document; one rollout at a time, or every rollout of the fleet.
 */
import { randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { documentDigest, type Rollout, type RolloutState, type RolloutStep } from "./desired-document.ts";
import {
  desiredRevision,
  FleetDeployError,
  type FleetStores,
  readDesired,
  toFleetDocument,
  writeDesired,
} from "./deployer.ts";
import { parseDesiredKey } from "./names.ts";
import { countExecutions, followStatuses, notYetStable, type StatusFollow } from "./rollout-execution.ts";
import { RolloutRecord } from "./rollout-record.ts";
import { evaluateAbort, type ExecutionOutcome, releasedAt } from "./rollout-plan.ts";
import { DEFAULT_STALE_AFTER_MS, readStatuses } from "./status-table.ts";

/** A new rollout's plan. */
export interface RolloutPlan {
  steps: RolloutStep[];
  /** Abort once failures reach this share of executed devices; null never aborts. */
  thresholdPercentage: number | null;
  /** The executed devices needed before the threshold applies. @default 1 */
  minExecuted?: number;
  /** A released device that has not executed the candidate after this long counts as TIMED_OUT. */
  stepTimeoutMinutes: number;
}

/** What {@linkcode RolloutController} takes. */
export interface RolloutControllerOptions {
  /** Signs what it writes (the devices may require it). */
  signKey: KeyObject | null;
  /** Devices silent longer than this are not targets. @default DEFAULT_STALE_AFTER_MS */
  staleAfterMs?: number;
  /** Progress lines. @default nothing */
  log?: (line: string) => void;
}

/** How a rollout ended (or where it stood when driving stopped). */
export interface RolloutResult {
  group: string;
  rolloutId: string;
  state: RolloutState;
  reason: string | null;
  targets: string[];
  released: string[];
  outcomes: Record<string, ExecutionOutcome>;
}

/** What {@linkcode RolloutController.start} wrote. */
export interface RolloutStarted {
  revision: number;
  rollout: Rollout;
  digest: string;
  uploaded: string[];
  reused: string[];
}

/** Rollouts of the fleet's groups, driven from the deployer's side (the CLI or `lambdalet fleet controller`). */
export class RolloutController {
  readonly #stores: FleetStores;
  readonly #signKey: KeyObject | null;
  readonly #staleAfterMs: number;
  readonly #log: (line: string) => void;
  readonly #record: RolloutRecord;

  constructor(stores: FleetStores, options: RolloutControllerOptions) {
    this.#stores = stores;
    this.#signKey = options.signKey;
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.#log = options.log ?? (() => {});
    this.#record = new RolloutRecord(stores.desired, { signKey: this.#signKey, log: this.#log });
  }

  /**
   * Uploads the document's code and writes a new rollout of it with its first step released; the targets are the
   * devices whose live status lists the group, sorted. Refused while another rollout of the group is IN_PROGRESS.
   */
  async start(group: string, document: unknown, plan: RolloutPlan): Promise<RolloutStarted> {
    const { desired, status, code } = this.#stores;
    const previous = await readDesired(desired, group, "rollout").catch(() => null);
    if (previous?.payload.rollout?.state === "IN_PROGRESS") {
      throw new FleetDeployError(
        `A rollout (${previous.payload.rollout.rolloutId}) of group ${group} is already in progress`,
      );
    }
    const fleet = await toFleetDocument(document, code);
    const targets = (await readStatuses(status, { group, staleAfterMs: this.#staleAfterMs }))
      .filter((entry) => !entry.stale && entry.status !== null)
      .map((entry) => entry.device)
      .sort();
    const rollout: Rollout = {
      rolloutId: randomUUID(),
      state: "IN_PROGRESS",
      steps: plan.steps,
      step: 0,
      targets,
      released: releasedAt(plan.steps, targets, 0),
      abortConfig: {
        criteriaList: plan.thresholdPercentage === null ? [] : [{
          failureType: "ALL",
          action: "CANCEL",
          thresholdPercentage: plan.thresholdPercentage,
          minNumberOfExecutedThings: plan.minExecuted ?? 1,
        }],
      },
      timeoutConfig: { inProgressTimeoutInMinutes: plan.stepTimeoutMinutes },
      reason: null,
    };
    const revision = await writeDesired(desired, {
      group,
      kind: "rollout",
      document: fleet.document,
      rollout,
      signKey: this.#signKey,
      expectedRevision: await desiredRevision(desired, group, "rollout"),
    });
    this.#log(
      `Rollout ${rollout.rolloutId} of group ${group}: ${targets.length} target(s), step 1 releases ${
        rollout.released.join(", ") || "none"
      }`,
    );
    return { revision, rollout, digest: documentDigest(fleet.document), ...fleet };
  }

  /**
   * Drives the group's IN_PROGRESS rollout (`rolloutId` when given) until it is COMPLETED or ABORTED, or `signal`
   * stops driving (it stays IN_PROGRESS for another controller). After an abort, waits (at most a step timeout) until
   * the released devices select stable again.
   */
  async drive(group: string, rolloutId: string | null = null, signal?: AbortSignal): Promise<RolloutResult> {
    const follow = await followStatuses(this.#stores.status, this.#staleAfterMs, signal);
    try {
      return await this.#driveLoop(group, rolloutId, follow, signal);
    } finally {
      await follow.stop();
    }
  }

  async #driveLoop(
    group: string,
    rolloutId: string | null,
    follow: StatusFollow,
    signal: AbortSignal | undefined,
  ): Promise<RolloutResult> {
    const { desired } = this.#stores;
    const outcomes = new Map<string, ExecutionOutcome>();
    let current = await readDesired(desired, group, "rollout");
    const id = rolloutId ?? current?.payload.rollout?.rolloutId ?? null;
    if (!current || !current.payload.rollout || id === null) {
      throw new FleetDeployError(`Group ${group} has no rollout`);
    }
    const sinceRevision = current.revision;
    let last: Rollout | null = null;
    for (;;) {
      const rollout: Rollout | null = current?.payload.rollout ?? null;
      if (!current || !rollout) {
        // deleted once completed (by this controller or another)
        return this.#result(group, id, "COMPLETED", null, last, outcomes);
      }
      last = rollout;
      if (rollout.rolloutId !== id) {
        throw new FleetDeployError(
          `The rollout ${id} of group ${group} was replaced by ${rollout.rolloutId}`,
        );
      }
      if (rollout.state !== "IN_PROGRESS") {
        if (rollout.state === "ABORTED") {
          await this.#waitForStable(group, rollout, follow, signal);
        }
        return this.#result(group, id, rollout.state, rollout.reason, rollout, outcomes);
      }
      if (signal?.aborted) return this.#result(group, id, "IN_PROGRESS", null, rollout, outcomes);
      const digest = documentDigest(current.payload.rawDocument);
      const deadline = current.created.getTime() + rollout.timeoutConfig.inProgressTimeoutInMinutes * 60_000;
      const executed = countExecutions(
        rollout,
        follow.statuses,
        outcomes,
        { group, digest, sinceRevision, deadline },
        this.#log,
      );
      const decision = evaluateAbort(rollout.abortConfig.criteriaList, executed);
      let next: Rollout | null = null;
      if (decision.abort) {
        next = { ...rollout, state: "ABORTED", reason: decision.reason };
      } else if (executed.size === rollout.released.length) {
        if (rollout.step + 1 < rollout.steps.length) {
          const released = releasedAt(rollout.steps, rollout.targets, rollout.step + 1);
          next = { ...rollout, step: rollout.step + 1, released };
        } else {
          current = await this.#record.complete(group, current, rollout);
          continue;
        }
      }
      if (next === null) {
        await follow.waitChange();
        current = await this.#record.reread(group, current);
        continue;
      }
      current = await this.#record.advance(group, current, next);
    }
  }

  /** After an abort: until every live released device selects stable again for the group, or a step timeout. */
  async #waitForStable(
    group: string,
    rollout: Rollout,
    follow: StatusFollow,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const deadline = Date.now() + rollout.timeoutConfig.inProgressTimeoutInMinutes * 60_000;
    while (Date.now() < deadline && !signal?.aborted) {
      if (notYetStable(rollout, group, follow.statuses).length === 0) return;
      await follow.waitChange();
    }
  }

  #result(
    group: string,
    rolloutId: string,
    state: RolloutState,
    reason: string | null,
    rollout: Rollout | null,
    outcomes: Map<string, ExecutionOutcome>,
  ): RolloutResult {
    return {
      group,
      rolloutId,
      state,
      reason,
      targets: rollout?.targets ?? [],
      released: rollout?.released ?? [],
      outcomes: Object.fromEntries(outcomes),
    };
  }

  /**
   * Drives every IN_PROGRESS rollout of the fleet, those there now and those written later, until `signal` (the
   * long-running `lambdalet fleet controller`).
   */
  async runAll(signal: AbortSignal): Promise<void> {
    const driving = new Map<string, Promise<void>>();
    const consider = async (group: string): Promise<void> => {
      if (driving.has(group) || signal.aborted) return;
      const read = await readDesired(this.#stores.desired, group, "rollout").catch((error) => {
        this.#log(`group.${group}.rollout: ${error instanceof Error ? error.message : error}`);
        return null;
      });
      const rollout = read?.payload.rollout;
      if (!rollout || rollout.state !== "IN_PROGRESS" || driving.has(group)) return;
      this.#log(`Driving rollout ${rollout.rolloutId} of group ${group}`);
      driving.set(
        group,
        this.drive(group, rollout.rolloutId, signal)
          .then((result) => this.#log(`Rollout ${result.rolloutId} of group ${group}: ${result.state}`))
          .catch((error) =>
            this.#log(`Rollout of group ${group}: ${error instanceof Error ? error.message : error}`)
          )
          .finally(() => {
            driving.delete(group);
            // a rollout written while this one was driven
            void consider(group);
          }),
      );
    };
    const watch = await this.#stores.desired.watch({ key: "group.*.rollout" });
    const stop = () => watch.stop();
    signal.addEventListener("abort", stop);
    try {
      for await (const entry of watch) {
        const parsed = parseDesiredKey(entry.key);
        if (parsed && entry.operation === "PUT") await consider(parsed.group);
      }
    } finally {
      signal.removeEventListener("abort", stop);
      while (driving.size > 0) await Promise.all(driving.values());
    }
  }
}
