/** @module Finds the function version a caller named (`$LATEST`, a version number or an alias) and its runnable target. */
import type { FunctionConfig } from "../config/mod.ts";
import { FunctionNotFoundError } from "../errors/mod.ts";
import { hostHasId } from "../sandbox/mod.ts";
import type { FunctionTarget } from "../scheduler/mod.ts";
import { type AliasRecord, LATEST } from "../store/mod.ts";
import { functionArn, type FunctionRef } from "./arn.ts";
import type { ControlPlaneDeps } from "./deps.ts";
import { layerTreeOf } from "./layers.ts";

/** A version found for a reference. */
export interface ResolvedVersion {
  /** Its configuration. */
  config: FunctionConfig;
  /** `$LATEST` or the version number. */
  version: string;
  /** The alias the caller named, when it named one. */
  alias?: AliasRecord;
}

/** Whether `qualifier` names a version (`$LATEST` or a number) rather than an alias. */
export function isVersionQualifier(qualifier: string): boolean {
  return qualifier === LATEST || /^[0-9]+$/.test(qualifier);
}

/**
 * Resolves `ref` to one version, or throws {@linkcode FunctionNotFoundError}. An alias resolves to its main version,
 * or, when `pick` is given, to the version its routing weights draw with `pick()` in [0, 1).
 */
export function resolveVersion(
  deps: Pick<ControlPlaneDeps, "store" | "region" | "accountId">,
  ref: FunctionRef,
  pick?: () => number,
): ResolvedVersion {
  const qualifier = ref.qualifier ?? LATEST;
  if (isVersionQualifier(qualifier)) {
    const config = deps.store.functions.getVersion(ref.name, qualifier);
    if (!config) throw functionNotFound(deps, ref);
    return { config, version: qualifier };
  }
  const alias = deps.store.aliases.get(ref.name, qualifier);
  if (!alias) throw functionNotFound(deps, ref);
  const version = pick ? routeAlias(alias, pick()) : alias.functionVersion;
  const config = deps.store.functions.getVersion(ref.name, version);
  if (!config) throw functionNotFound(deps, { name: ref.name, qualifier: version });
  return { config, version, alias };
}

/** The version an alias sends an invocation to, for a draw in [0, 1). */
export function routeAlias(alias: AliasRecord, draw: number): string {
  let threshold = 0;
  for (const [version, weight] of Object.entries(alias.additionalVersionWeights)) {
    threshold += weight;
    if (draw < threshold) return version;
  }
  return alias.functionVersion;
}

/** What building a target needs. */
export type TargetDeps = Pick<ControlPlaneDeps, "store" | "code" | "region" | "accountId" | "sandbox">;

/** Builds the runnable target of one stored version, extracting its code if needed. */
export async function targetOf(
  deps: TargetDeps,
  config: FunctionConfig,
  version: string,
): Promise<FunctionTarget> {
  const codeDir = await deps.code.ensure(config.codeSha256);
  const optDir = await layerTreeOf(deps.code, config);
  const reserved = deps.store.functions.getReservedConcurrency(config.functionName);
  const uid = functionUidOf(deps, config.functionName);
  return {
    config,
    version,
    functionArn: functionArn(deps.region, deps.accountId, config.functionName),
    codeDir,
    ...(optDir === null ? {} : { optDir }),
    region: deps.region,
    ...(uid === undefined ? {} : { uid }),
    ...(typeof reserved === "number" ? { reservedConcurrency: reserved } : {}),
  };
}

/**
 * The uid the workers of `name` run as when the agent is root: allocated from the agent's range on first use, never
 * one of a host user or group. Undefined when the agent is not root (workers run as the agent's user).
 */
function functionUidOf(deps: Pick<TargetDeps, "store" | "sandbox">, name: string): number | undefined {
  if (!deps.sandbox.switchesUsers) return undefined;
  return deps.store.functionUids.allocate(name, deps.sandbox.functionUidRange, hostHasId);
}

/** Lambda's 404 for a function (or function version, or alias) that does not exist. */
export function functionNotFound(
  deps: Pick<ControlPlaneDeps, "region" | "accountId">,
  ref: FunctionRef,
): FunctionNotFoundError {
  return new FunctionNotFoundError(functionArn(deps.region, deps.accountId, ref.name, ref.qualifier));
}

/** Throws {@linkcode FunctionNotFoundError} unless the function exists. */
export function requireFunction(
  deps: Pick<ControlPlaneDeps, "store" | "region" | "accountId">,
  name: string,
): void {
  if (!deps.store.functions.exists(name)) throw functionNotFound(deps, { name });
}
