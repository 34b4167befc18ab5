/** @module Starts the pinned workers of a function's versions, as Greengrass does when a function is deployed. */
import type { PoolStatus } from "../scheduler/mod.ts";
import type { ApiDeps } from "./context.ts";
import { targetOf } from "./resolve.ts";

/** Starts the worker of every pinned version of `name` that has none; resolves with each start's end state. */
export async function startPinned(
  deps: Pick<ApiDeps, "store" | "code" | "scheduler" | "region" | "accountId" | "sandbox">,
  name: string,
): Promise<PoolStatus["state"][]> {
  const versions = deps.store.functions.listVersions(name, undefined, Number.MAX_SAFE_INTEGER).items;
  const pinned = versions.filter((row) => row.config.edge.pinned);
  return await Promise.all(
    pinned.map(async (row) => deps.scheduler.ensureStarted(await targetOf(deps, row.config, row.version))),
  );
}
