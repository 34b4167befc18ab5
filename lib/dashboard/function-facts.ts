/** @module What the dashboard shows of a function: its configuration, workers, versions, aliases and last error. */
import type { FunctionConfig } from "../config/mod.ts";
import type { VersionStatus } from "../scheduler/mod.ts";
import type { DashboardDeps } from "./env.ts";

/** One function as the functions page lists it. */
export interface FunctionFacts {
  config: FunctionConfig;
  /** The `$LATEST` pool's state, or `idle` when it has no workers. */
  state: string;
  lifecycle: "pinned" | "on-demand";
  /** How its workers are isolated (the pool's report when it has one, else the configured mode). */
  isolation: string;
  versions: string[];
  aliases: { name: string; version: string }[];
  lastError: string | null;
}

const MAX_LISTED = 1000;

/** Every function's `$LATEST` configuration, by name, at most 1000. */
export function allFunctions(deps: Pick<DashboardDeps, "functions">): FunctionConfig[] {
  const configs: FunctionConfig[] = [];
  let marker: string | undefined;
  do {
    const page = deps.functions.list(marker, 50, false);
    configs.push(...page.items.map((row) => row.config));
    marker = page.nextMarker;
  } while (marker !== undefined && configs.length < MAX_LISTED);
  return configs;
}

/** The facts of one function, from its configuration and every pool's status. */
export function factsOf(
  deps: Pick<DashboardDeps, "functions" | "aliases" | "recent">,
  config: FunctionConfig,
  pools: readonly VersionStatus[],
): FunctionFacts {
  const name = config.functionName;
  const own = pools.filter((pool) => pool.functionName === name);
  const latest = own.find((pool) => pool.version === "$LATEST") ?? own[0];
  const failure = deps.recent.lastFailure(name);
  const poolError = own.find((pool) => pool.lastError)?.lastError;
  return {
    config,
    state: latest?.state ?? "idle",
    lifecycle: config.edge.pinned ? "pinned" : "on-demand",
    isolation: latest?.isolation ?? config.edge.containerMode,
    versions: deps.functions.versions(name, undefined, 50).items.map((row) => row.version),
    aliases: deps.aliases.list(name, undefined, undefined, 50).items.map((alias) => ({
      name: alias.name,
      version: alias.functionVersion,
    })),
    lastError: poolError ??
      (failure ? `${failure.status} in ${failure.requestId} at ${failure.time}` : null),
  };
}
