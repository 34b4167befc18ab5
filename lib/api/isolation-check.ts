/** @module Refuses a configuration this host cannot run (a container it cannot make, a user it does not have). */
import type { FunctionConfig } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { IsolationUnavailableError, PosixUserError, resolvePosixUser } from "../sandbox/mod.ts";
import type { ApiDeps } from "./context.ts";

/** Throws `InvalidParameterValueException` naming the missing piece and its fix when `config` cannot run here. */
export function checkRunnable(deps: Pick<ApiDeps, "sandbox">, config: FunctionConfig): void {
  try {
    const decision = deps.sandbox.decide(config.edge.containerMode);
    if (decision.mode === "GreengrassContainer") resolvePosixUser(config.edge.posixUser);
    else checkHostPaths(config);
  } catch (error) {
    if (error instanceof IsolationUnavailableError || error instanceof PosixUserError) {
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
