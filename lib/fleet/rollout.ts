/**
 * @module Drives a group's rollout: releases its sorted live devices step by step (the rollout key, written with
 * compare-and-set so two controllers cannot both advance it), counts each released device's execution of the
 * candidate from the status bucket, aborts past the threshold (released devices return to stable) and, after the last
 * step, makes the candidate the group's stable document.
 */
import { randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { KvEntry } from "@nats-io/kv";
import { documentDigest, type Rollout, type RolloutState, type RolloutStep } from "./desired-document.ts";
import {
  deleteDesired,
  DesiredConflictError,
  type DesiredEntry,
  desiredRevision,
  FleetDeployError,
  type FleetStores,
  readDesired,
  toFleetDocument,
  writeDesired,
} from "./deployer.ts";
import { parseDesiredKey } from "./names.ts";
import { evaluateAbort, type ExecutionOutcome, releasedAt } from "./rollout-plan.ts";
import {
  DEFAULT_STALE_AFTER_MS,
  type DeviceStatusEntry,
  readStatuses,
  statusEntryOf,
} from "./status-table.ts";

/** How often a waiting controller looks again for step timeouts, in ms (status changes wake it at once). */
const TICK_MS = 1000;

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

/**
 * How `entry` (a device's status) shows its execution of the candidate `digest` of `group`: SUCCEEDED or FAILED once
 * its deployment ended with the candidate selected for the group, FAILED when it refused the rollout since
 * `sinceRevision`; undefined while it has not executed it.
 */
export function executionOf(
  entry: DeviceStatusEntry | undefined,
  group: string,
  digest: string,
  sinceRevision: number,
): ExecutionOutcome | undefined {
  const status = entry?.status;
  if (!status) return undefined;
  const refused = status.refused.some((item) =>
    item.group === group && item.key === "rollout" && (item.revision ?? 0) >= sinceRevision
  );
  if (refused) return "FAILED";
  const deployment = status.deployment;
  // `desired` names what that deployment applies per group
  const selected = status.desired[group];
  if (!selected || selected.key !== "rollout" || selected.digest !== digest) return undefined;
  if (deployment?.status === "COMPLETED") return "SUCCEEDED";
  if (deployment?.status === "FAILED" || deployment?.status === "ROLLED_BACK") return "FAILED";
  return undefined;
}

/** Rollouts of the fleet's groups, driven from the deployer's side (the CLI or `lambdalet fleet controller`). */
export class RolloutController {
  readonly #stores: FleetStores;
  readonly #signKey: KeyObject | null;
  readonly #staleAfterMs: number;
  readonly #log: (line: string) => void;

  constructor(stores: FleetStores, options: RolloutControllerOptions) {
    this.#stores = stores;
    this.#signKey = options.signKey;
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.#log = options.log ?? (() => {});
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
    const statuses = new Map<string, DeviceStatusEntry>();
    let wake: (() => void) | null = null;
    const wakeUp = () => {
      const resolve = wake;
      wake = null;
      resolve?.();
    };
    const watch = await this.#stores.status.watch({ key: "device.*" });
    const watching = (async () => {
      for await (const entry of watch) {
        this.#noteStatus(statuses, entry);
        wakeUp();
      }
    })().catch(() => {});
    const onAbort = () => wakeUp();
    signal?.addEventListener("abort", onAbort);
    const waitChange = async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, TICK_MS);
      });
      clearTimeout(timer);
    };
    try {
      return await this.#driveLoop(group, rolloutId, statuses, waitChange, signal);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      watch.stop();
      await watching;
    }
  }

  #noteStatus(statuses: Map<string, DeviceStatusEntry>, entry: KvEntry): void {
    const read = statusEntryOf(entry, Date.now(), this.#staleAfterMs);
    const device = /^device\.(.+)$/.exec(entry.key)?.[1];
    if (read) statuses.set(read.device, read);
    else if (device) statuses.delete(device);
  }

  async #driveLoop(
    group: string,
    rolloutId: string | null,
    statuses: Map<string, DeviceStatusEntry>,
    waitChange: () => Promise<void>,
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
          await this.#waitForStable(group, rollout, statuses, waitChange, signal);
        }
        return this.#result(group, id, rollout.state, rollout.reason, rollout, outcomes);
      }
      if (signal?.aborted) return this.#result(group, id, "IN_PROGRESS", null, rollout, outcomes);
      const digest = documentDigest(current.payload.rawDocument);
      const deadline = current.created.getTime() + rollout.timeoutConfig.inProgressTimeoutInMinutes * 60_000;
      for (const device of rollout.released) {
        if (outcomes.has(device)) continue;
        const outcome = executionOf(statuses.get(device), group, digest, sinceRevision) ??
          (Date.now() > deadline ? "TIMED_OUT" : undefined);
        if (outcome) {
          outcomes.set(device, outcome);
          this.#log(`  ${device}: ${outcome}`);
        }
      }
      const executed = new Map([...outcomes].filter(([device]) => rollout.released.includes(device)));
      const decision = evaluateAbort(rollout.abortConfig.criteriaList, executed);
      let next: Rollout | null = null;
      if (decision.abort) {
        next = { ...rollout, state: "ABORTED", reason: decision.reason };
      } else if (executed.size === rollout.released.length) {
        if (rollout.step + 1 < rollout.steps.length) {
          const released = releasedAt(rollout.steps, rollout.targets, rollout.step + 1);
          next = { ...rollout, step: rollout.step + 1, released };
        } else {
          current = await this.#complete(group, current, rollout);
          continue;
        }
      }
      if (next === null) {
        await waitChange();
        current = await this.#reread(group, current);
        continue;
      }
      current = await this.#advance(group, current, next);
    }
  }

  /** Writes `next` over `current` (compare-and-set); on a conflict, what the winner wrote. */
  async #advance(group: string, current: DesiredEntry, next: Rollout): Promise<DesiredEntry | null> {
    try {
      await writeDesired(this.#stores.desired, {
        group,
        kind: "rollout",
        document: current.payload.rawDocument,
        rollout: next,
        signKey: this.#signKey,
        expectedRevision: current.revision,
      });
      this.#log(
        next.state === "ABORTED"
          ? `Rollout ${next.rolloutId} of group ${group} ABORTED: ${next.reason}`
          : `Rollout ${next.rolloutId} of group ${group}: step ${next.step + 1} releases ${
            next.released.join(", ") || "none"
          }`,
      );
    } catch (error) {
      if (!(error instanceof DesiredConflictError)) throw error;
    }
    return await readDesired(this.#stores.desired, group, "rollout");
  }

  async #reread(group: string, current: DesiredEntry): Promise<DesiredEntry | null> {
    const revision = await desiredRevision(this.#stores.desired, group, "rollout");
    return revision === current.revision
      ? current
      : await readDesired(this.#stores.desired, group, "rollout");
  }

  /** The last step done: the candidate becomes stable, then the rollout is COMPLETED and its key deleted. */
  async #complete(group: string, current: DesiredEntry, rollout: Rollout): Promise<DesiredEntry | null> {
    const { desired } = this.#stores;
    for (let attempt = 0;; attempt += 1) {
      try {
        await writeDesired(desired, {
          group,
          kind: "stable",
          document: current.payload.rawDocument,
          rollout: null,
          signKey: this.#signKey,
          expectedRevision: await desiredRevision(desired, group, "stable"),
        });
        break;
      } catch (error) {
        if (!(error instanceof DesiredConflictError) || attempt >= 2) throw error;
      }
    }
    try {
      const revision = await writeDesired(desired, {
        group,
        kind: "rollout",
        document: current.payload.rawDocument,
        rollout: { ...rollout, state: "COMPLETED" },
        signKey: this.#signKey,
        expectedRevision: current.revision,
      });
      await deleteDesired(desired, group, "rollout", revision);
      this.#log(
        `Rollout ${rollout.rolloutId} of group ${group} COMPLETED: the candidate is the stable document`,
      );
      return null;
    } catch (error) {
      if (!(error instanceof DesiredConflictError)) throw error;
      return await readDesired(desired, group, "rollout");
    }
  }

  /** After an abort: until every live released device selects stable again for the group, or a step timeout. */
  async #waitForStable(
    group: string,
    rollout: Rollout,
    statuses: Map<string, DeviceStatusEntry>,
    waitChange: () => Promise<void>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const deadline = Date.now() + rollout.timeoutConfig.inProgressTimeoutInMinutes * 60_000;
    while (Date.now() < deadline && !signal?.aborted) {
      const pending = rollout.released.filter((device) => {
        const entry = statuses.get(device);
        if (!entry?.status || entry.stale) return false;
        const selected = entry.status.desired[group];
        const status = entry.status.deployment?.status;
        return selected?.key === "rollout" || status === "DOWNLOADING" || status === "IN_PROGRESS";
      });
      if (pending.length === 0) return;
      await waitChange();
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
