/**
 * @module What a rollout's controller reads from the status bucket: each device's status followed as it changes, the
 * released devices' executions of the candidate counted, and the devices not yet back on stable after an abort.
 */
import type { KV, KvEntry } from "@nats-io/kv";
import type { Rollout } from "./desired-document.ts";
import type { ExecutionOutcome } from "./rollout-plan.ts";
import { type DeviceStatusEntry, statusEntryOf } from "./status-table.ts";

/** How often a waiting controller looks again for step timeouts, in ms (status changes wake it at once). */
const TICK_MS = 1000;

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

/** The devices' statuses as a controller follows them (see {@linkcode followStatuses}). */
export interface StatusFollow {
  /** Each device's latest status entry, by device. */
  statuses: Map<string, DeviceStatusEntry>;
  /** Resolves on the next status change, on the signal, or after a tick. */
  waitChange(): Promise<void>;
  /** Stops following. */
  stop(): Promise<void>;
}

/** Follows every device's status in `status`, waking a waiting controller on each change and on `signal`. */
export async function followStatuses(
  status: KV,
  staleAfterMs: number,
  signal?: AbortSignal,
): Promise<StatusFollow> {
  const statuses = new Map<string, DeviceStatusEntry>();
  let wake: (() => void) | null = null;
  const wakeUp = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  let stopped = false;
  let watch = await status.watch({ key: "device.*" });
  // a watch that ends while the controller still follows (the hub went away, its consumer was lost under load) is
  // made again: without it the controller would wait out every step's timeout on statuses it no longer sees
  const watching = (async () => {
    while (!stopped) {
      try {
        for await (const entry of watch) {
          noteStatus(statuses, entry, staleAfterMs);
          wakeUp();
        }
      } catch {
        // made again below
      }
      if (stopped) break;
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      try {
        if (!stopped) watch = await status.watch({ key: "device.*" });
      } catch {
        // the hub is still away: the loop tries again
      }
    }
  })();
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
  return {
    statuses,
    waitChange,
    async stop() {
      stopped = true;
      signal?.removeEventListener("abort", onAbort);
      watch.stop();
      await watching;
    },
  };
}

function noteStatus(statuses: Map<string, DeviceStatusEntry>, entry: KvEntry, staleAfterMs: number): void {
  const read = statusEntryOf(entry, Date.now(), staleAfterMs);
  const device = /^device\.(.+)$/.exec(entry.key)?.[1];
  if (read) statuses.set(read.device, read);
  else if (device) statuses.delete(device);
}

/** Which candidate a count of executions is about. */
export interface ExecutionQuery {
  group: string;
  /** The candidate document's digest. */
  digest: string;
  /** The rollout key's revision when driving began: refusals since then count. */
  sinceRevision: number;
  /** After this time (ms since the epoch) a released device that has not executed the candidate is TIMED_OUT. */
  deadline: number;
}

/**
 * Adds to `outcomes` the released devices of `rollout` that have now executed the candidate of `query` (or timed
 * out), logging each; returns the outcomes of the released devices.
 */
export function countExecutions(
  rollout: Rollout,
  statuses: Map<string, DeviceStatusEntry>,
  outcomes: Map<string, ExecutionOutcome>,
  query: ExecutionQuery,
  log: (line: string) => void,
): Map<string, ExecutionOutcome> {
  const { group, digest, sinceRevision, deadline } = query;
  for (const device of rollout.released) {
    if (outcomes.has(device)) continue;
    const outcome = executionOf(statuses.get(device), group, digest, sinceRevision) ??
      (Date.now() > deadline ? "TIMED_OUT" : undefined);
    if (outcome) {
      outcomes.set(device, outcome);
      log(`  ${device}: ${outcome}`);
    }
  }
  return new Map([...outcomes].filter(([device]) => rollout.released.includes(device)));
}

/** The live released devices of an aborted `rollout` that do not select stable again for `group` yet. */
export function notYetStable(
  rollout: Rollout,
  group: string,
  statuses: Map<string, DeviceStatusEntry>,
): string[] {
  return rollout.released.filter((device) => {
    const entry = statuses.get(device);
    if (!entry?.status || entry.stale) return false;
    const selected = entry.status.desired[group];
    const status = entry.status.deployment?.status;
    return selected?.key === "rollout" || status === "DOWNLOADING" || status === "IN_PROGRESS";
  });
}
