/** @module What the scheduler needs to know about the function version it runs. */
import { layerTreeKey } from "../code/mod.ts";
import type { FunctionConfig } from "../config/mod.ts";

/** A resolved function version, ready to run. */
export interface FunctionTarget {
  /** The version's configuration. */
  config: FunctionConfig;
  /** `$LATEST` or a published version number. */
  version: string;
  /** The function's unqualified ARN. */
  functionArn: string;
  /** The folder holding the extracted code. */
  codeDir: string;
  /**
   * The function version's layers merged (read-only), when it has layers: bound at /opt in containers, named by its
   * real path in NoContainer workers' search paths. @default none
   */
  optDir?: string;
  /** The region named in the worker's environment. */
  region: string;
  /**
   * The function's own uid (its gid has the same number), from the agent's `functionUidRange`: its workers run as
   * it unless `Edge.posixUser` names another user. Unset when the agent is not root (workers run as the agent).
   */
  uid?: number;
  /** The function's reserved concurrency (PutFunctionConcurrency), when set: a cap over all its versions. */
  reservedConcurrency?: number;
}

/**
 * What a worker of `target` keeps from code collection while it runs: its code, its layers and their merged tree
 * (by the names the code store knows them by).
 */
export function heldCodeOf(target: FunctionTarget): string[] {
  const layers = (target.config.layers ?? []).map((layer) => layer.sha256);
  return [target.config.codeSha256, ...layers, ...(layers.length > 1 ? [layerTreeKey(layers)] : [])];
}

/** Holds everything {@linkcode heldCodeOf} names with `owner.holdCode`; the returned function releases all of it. */
export function holdTargetCode(
  owner: { holdCode?(sha256: string): () => void },
  target: FunctionTarget,
): (() => void) | undefined {
  if (!owner.holdCode) return undefined;
  const releases = heldCodeOf(target).map((name) => owner.holdCode!(name));
  return () => {
    for (const release of releases) release();
  };
}
