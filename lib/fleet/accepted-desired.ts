/**
 * @module The device's accepted desired values, kept in memory and in the fleet state: those saved at the last run
 * restored at start (opened and checked again), and each event of the desired watcher recorded.
 */
import type { KeyObject } from "node:crypto";
import { type DesiredEvent, openDesired } from "./desired-watcher.ts";
import { type FleetStateData, MAX_REFUSALS } from "./fleet-state.ts";
import type { GroupDesired } from "./selection.ts";

/** The longest refusal reason kept (a validation message quotes what it received, which the hub's writer chose). */
export const MAX_REASON_CHARS = 300;

function clip(reason: string): string {
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason;
}

/** Which groups the device follows and the keys it trusts. */
export interface FollowedGroups {
  groups: readonly string[];
  publicKeys: KeyObject[];
}

/**
 * The accepted values of `state` for the followed groups, checked again (the keys may have changed); `state` keeps
 * only those, and drops the groups no longer followed.
 */
export function restoreDesired(
  options: FollowedGroups,
  state: FleetStateData,
  warn: (line: string) => void,
): Map<string, GroupDesired> {
  const desired = new Map<string, GroupDesired>();
  for (const group of options.groups) {
    const saved = state.groups[group];
    const entry: GroupDesired = { stable: null, rollout: null };
    for (const kind of ["stable", "rollout"] as const) {
      const stored = saved?.[kind];
      if (!stored) continue;
      const event = openDesired(
        new Uint8Array(Buffer.from(stored.envelope, "base64")),
        { group, kind, revision: stored.revision },
        options.publicKeys,
      );
      if (event.type === "accepted") {
        entry[kind] = event.accepted;
      } else if (event.type === "refused") {
        warn(`lambdalet: fleet: the saved group.${group}.${kind} is dropped: ${clip(event.reason)}`);
      }
    }
    desired.set(group, entry);
  }
  state.groups = Object.fromEntries(
    options.groups.map((group) => [group, {
      stable: desired.get(group)?.stable ? state.groups[group]!.stable : null,
      rollout: desired.get(group)?.rollout ? state.groups[group]!.rollout : null,
    }]),
  );
  return desired;
}

/** Records a desired watcher's `event` in `desired` and `state`: accepted, cleared, or refused (warned once). */
export function recordDesiredEvent(
  event: DesiredEvent,
  desired: Map<string, GroupDesired>,
  state: FleetStateData,
  warn: (line: string) => void,
): void {
  const group = state.groups[event.group]!;
  const entry = desired.get(event.group)!;
  if (event.type === "accepted") {
    entry[event.kind] = event.accepted;
    group[event.kind] = {
      revision: event.revision,
      envelope: Buffer.from(event.envelope).toString("base64"),
    };
    // a newer accepted value supersedes the refusals of the same key
    state.refused = state.refused.filter((refusal) =>
      !(refusal.group === event.group && refusal.key === event.kind && refusal.revision < event.revision)
    );
  } else if (event.type === "cleared") {
    entry[event.kind] = null;
    group[event.kind] = null;
  } else {
    const known = state.refused.some((refusal) =>
      refusal.group === event.group && refusal.key === event.kind && refusal.revision === event.revision
    );
    if (!known) {
      const reason = clip(event.reason);
      warn(
        `lambdalet: fleet: refused group.${event.group}.${event.kind} revision ${event.revision}: ${reason}`,
      );
      state.refused = [...state.refused, {
        group: event.group,
        key: event.kind,
        revision: event.revision,
        reason,
        keyId: event.keyId,
        at: new Date().toISOString(),
      }].slice(-MAX_REFUSALS);
    }
  }
}
