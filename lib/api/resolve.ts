/** @module Finds the function version a client named, ready for the scheduler. */
import { LambdaError } from "../errors/mod.ts";
import type { FunctionTarget } from "../scheduler/mod.ts";
import { LATEST } from "../store/mod.ts";
import { functionArn, type FunctionRef } from "./arn.ts";
import type { ApiDeps } from "./context.ts";

/** Resolves `ref` to a runnable version, or throws `ResourceNotFoundException`. */
export async function resolveTarget(deps: ApiDeps, ref: FunctionRef): Promise<FunctionTarget> {
  const version = ref.qualifier ?? LATEST;
  const config = deps.store.functions.getVersion(ref.name, version);
  if (!config) throw functionNotFound(deps, ref);
  const codeDir = await deps.code.ensure(config.codeSha256);
  return {
    config,
    version,
    functionArn: functionArn(deps.region, deps.accountId, ref.name),
    codeDir,
    region: deps.region,
  };
}

/** Lambda's 404 for a function (or function version) that does not exist. */
export function functionNotFound(deps: ApiDeps, ref: FunctionRef): LambdaError {
  return new LambdaError(
    "ResourceNotFoundException",
    `Function not found: ${functionArn(deps.region, deps.accountId, ref.name, ref.qualifier)}`,
  );
}
