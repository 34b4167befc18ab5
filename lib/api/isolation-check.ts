/** @module Refuses a configuration this host cannot run, or the agent will not (root, unsafe volumes, other runtime versions). */
import type { FunctionConfig } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { IsolationUnavailableError, PosixUserError, UnsafeVolumeError } from "../sandbox/mod.ts";
import type { ApiDeps } from "./context.ts";

/**
 * Throws `InvalidParameterValueException` when `config` cannot run here, saying why and how to fix it: the
 * container mode, the `posixUser` (unknown, root without `allowFunctionsToRunAsRoot`, a uid of `functionUidRange`),
 * a volume (system folders read-write, the data dir at all), a NoContainer volume away from its host path, a runtime
 * whose version the host cannot run exactly when the agent has `strictRuntimeVersions`.
 */
export function checkRunnable(deps: Pick<ApiDeps, "sandbox" | "runtimes">, config: FunctionConfig): void {
  const refusal = deps.runtimes.refusal(config.runtime);
  if (refusal) throw new LambdaError("InvalidParameterValueException", refusal);
  try {
    const decision = deps.sandbox.decide(config.edge.containerMode);
    deps.sandbox.checkUser(config.edge.posixUser);
    deps.sandbox.checkVolumes(config.edge.containerParams.volumes);
    if (decision.mode === "NoContainer") checkHostPaths(config);
  } catch (error) {
    if (
      error instanceof IsolationUnavailableError || error instanceof PosixUserError ||
      error instanceof UnsafeVolumeError
    ) {
      throw new LambdaError("InvalidParameterValueException", error.message, { cause: error });
    }
    throw error;
  }
}

/** Without a container a volume can only be seen at its host path: one mounted elsewhere cannot be given. */
function checkHostPaths(config: FunctionConfig): void {
  for (const volume of config.edge.containerParams.volumes) {
    if (volume.destinationPath === volume.sourcePath) continue;
    throw new LambdaError(
      "InvalidParameterValueException",
      `NoContainer cannot mount volume ${volume.sourcePath} at ${volume.destinationPath}: without a container the function sees it at ${volume.sourcePath}. Set destinationPath to ${volume.sourcePath}, or use GreengrassContainer`,
    );
  }
}
