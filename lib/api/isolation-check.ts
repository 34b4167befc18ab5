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
  } catch (error) {
    if (error instanceof IsolationUnavailableError || error instanceof PosixUserError) {
      throw new LambdaError("InvalidParameterValueException", error.message, { cause: error });
    }
    throw error;
  }
}
