/** @module A function's workers follow its stored state: retired when it changes, pinned ones started again. */
import type { PoolStatus } from "../scheduler/mod.ts";
import type { ControlPlaneDeps, PartDeps } from "./deps.ts";
import { targetOf } from "./resolve.ts";

type PinnedDeps = Pick<ControlPlaneDeps, "store" | "code" | "scheduler" | "region" | "accountId" | "sandbox">;

/**
 * Starts the worker of every pinned version of `name` that has none, as Greengrass does when a function is
 * deployed; resolves with each start's end state.
 */
export async function startPinned(deps: PinnedDeps, name: string): Promise<PoolStatus["state"][]> {
  const versions = deps.store.functions.listVersions(name, undefined, Number.MAX_SAFE_INTEGER).items;
  const pinned = versions.filter((row) => row.config.edge.pinned);
  return await Promise.all(
    pinned.map(async (row) => deps.scheduler.ensureStarted(await targetOf(deps, row.config, row.version))),
  );
}

/**
 * What follows any change to a function's stored state: the workers of what changed (one version, or all) finish
 * their current work and stop; the pinned versions that exist now start; the parts that follow functions' settings
 * (topics, schedules, routes) are told. Resolves with each pinned start's end
 * state (callers that do not wait may drop it: a failed start shows in the function's status).
 */
export function functionChanged(
  deps: PinnedDeps & Pick<PartDeps, "changes">,
  name: string,
  version?: string,
): Promise<PoolStatus["state"][]> {
  deps.scheduler.retire(name, version);
  deps.changes.publish(name);
  const started = startPinned(deps, name);
  started.catch((error: unknown) =>
    console.error(`lambdalet: starting the pinned workers of ${name}:`, error)
  );
  return started;
}
