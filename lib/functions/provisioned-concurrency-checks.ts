/** @module What PutProvisionedConcurrencyConfig refuses: Lambda's rules, and what a device's Edge settings cannot hold. */
import { LambdaError } from "../errors/mod.ts";
import { LATEST, type Store } from "../store/mod.ts";
import type { FunctionRef } from "./arn.ts";
import { isVersionQualifier } from "./resolve.ts";

/** Lambda's message for provisioned concurrency on `$LATEST`, or on an alias of it. */
export const NOT_PUBLISHED =
  "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";

/** The version a stored qualifier names now (an alias's main version), or undefined when it no longer exists. */
export function versionNamedBy(store: Store, name: string, qualifier: string): string | undefined {
  if (isVersionQualifier(qualifier)) {
    return store.functions.getVersion(name, qualifier) ? qualifier : undefined;
  }
  return store.aliases.get(name, qualifier)?.functionVersion;
}

/**
 * Refuses `requested` workers for `ref` (which exists and names `version` now) as Lambda does: `$LATEST`, an alias
 * and its version both configured, more in total than the function's reserved concurrency; and what a device
 * cannot do: more than the version's `Edge.maxInstancesCount`, a pinned function, an alias routing to two versions.
 */
export function checkProvisionedPut(
  store: Store,
  ref: Required<FunctionRef>,
  version: string,
  requested: number,
): void {
  const { name, qualifier } = ref;
  if (version === LATEST) throw new LambdaError("InvalidParameterValueException", NOT_PUBLISHED);
  const others = store.provisionedConcurrency.list(name).filter((record) => record.qualifier !== qualifier);
  if (!isVersionQualifier(qualifier)) {
    const weights = store.aliases.get(name, qualifier)?.additionalVersionWeights ?? {};
    if (Object.keys(weights).length) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `The alias ${qualifier} routes to more than one version: provisioned concurrency needs an alias without a RoutingConfig`,
      );
    }
    if (others.some((record) => record.qualifier === version)) {
      throw new LambdaError(
        "ResourceConflictException",
        "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
      );
    }
  } else if (others.some((record) => versionNamedBy(store, name, record.qualifier) === version)) {
    throw new LambdaError(
      "ResourceConflictException",
      "Version is pointed by a Provisioned Concurrency alias",
    );
  }
  const edge = store.functions.getVersion(name, version)!.edge;
  if (edge.pinned) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `The function ${name} is pinned (Edge.pinned): its one long-lived worker is always started, provisioned concurrency is for on-demand functions`,
    );
  }
  const reserved = store.functions.getReservedConcurrency(name);
  const total = others.reduce((sum, record) => sum + record.requested, requested);
  if (typeof reserved === "number" && total > reserved) {
    throw new LambdaError(
      "InvalidParameterValueException",
      "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
    );
  }
  if (requested > edge.maxInstancesCount) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `Requested Provisioned Concurrency (${requested}) should not be greater than the function version's Edge.maxInstancesCount (${edge.maxInstancesCount})`,
    );
  }
}
