/** @module Refuses a configuration this host cannot run, or the agent will not (root, unsafe volumes, other runtime versions). */
import type { FunctionConfig } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { parseScheduleExpression, ScheduleExpressionError } from "../schedules/mod.ts";
import type { ControlPlaneDeps } from "./deps.ts";
import { FunctionNotRunnableError } from "./errors.ts";

/**
 * Throws {@linkcode FunctionNotRunnableError} when `config` cannot run here, saying why and how to fix it: a runtime
 * whose version the host cannot run exactly when the agent has `strictRuntimeVersions`, or the refusal of the
 * sandbox's spawn plan (the container mode, the `posixUser`, a volume, a NoContainer volume away from its host path).
 * A schedule expression that does not parse is `InvalidParameterValueException` (see {@linkcode checkSchedules}).
 */
export function checkRunnable(
  deps: Pick<ControlPlaneDeps, "sandbox" | "runtimes" | "mqtt">,
  config: FunctionConfig,
): void {
  checkSchedules(config);
  checkIotCoreSources(config, deps.mqtt !== undefined && deps.mqtt !== null);
  const refusal = deps.runtimes.refusal(config.runtime);
  if (refusal) throw new FunctionNotRunnableError(refusal);
  const planned = deps.sandbox.plan(config).refusal;
  if (planned) throw new FunctionNotRunnableError(planned.message, { cause: planned });
}

/**
 * Throws `InvalidParameterValueException` naming the first `Edge.eventSources` entry of type `IOT_CORE` when the agent
 * has no MQTT bridge to subscribe with.
 */
export function checkIotCoreSources(config: FunctionConfig, bridged: boolean): void {
  if (bridged) return;
  const index = config.edge.eventSources.findIndex((source) => source.type === "IOT_CORE");
  if (index < 0) return;
  throw new LambdaError(
    "InvalidParameterValueException",
    `Edge.eventSources[${index}]: an IOT_CORE source needs the agent's MQTT bridge, and this agent has none: set 'mqtt' (url, clientId, certificates) in the agent config file (lambdalet serve --config FILE)`,
  );
}

/**
 * Throws `InvalidParameterValueException` naming the first `Edge.eventSources` entry of type `SCHEDULE` whose
 * expression does not parse, and why.
 */
export function checkSchedules(config: FunctionConfig): void {
  config.edge.eventSources.forEach((source, index) => {
    if (source.type !== "SCHEDULE") return;
    try {
      parseScheduleExpression(source.expression);
    } catch (error) {
      if (!(error instanceof ScheduleExpressionError)) throw error;
      throw new LambdaError(
        "InvalidParameterValueException",
        `Edge.eventSources[${index}].expression: ${error.message}`,
        { cause: error },
      );
    }
  });
}
