/** @module Put/Update/Get/DeleteFunctionEventInvokeConfig: `/2019-09-25/functions/{F}/event-invoke-config`. */
import type { Handler } from "hono";
import * as v from "valibot";
import type { EventInvokeConfigChange } from "../functions/mod.ts";
import type { StoredEventInvokeConfig } from "../store/mod.ts";
import { functionArn } from "../functions/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { functionRefOf, readInput } from "./request.ts";

type Deps = Pick<ApiDeps, "eventInvokeConfigs" | "region" | "accountId">;

const DestinationSchema = v.optional(v.object({ Destination: v.optional(v.string()) }));

const EventInvokeConfigInputSchema = v.object({
  MaximumRetryAttempts: v.optional(v.pipe(
    v.number(),
    v.integer(),
    v.minValue(0, "Member must have value greater than or equal to 0"),
    v.maxValue(2, "Member must have value less than or equal to 2"),
  )),
  MaximumEventAgeInSeconds: v.optional(v.pipe(
    v.number(),
    v.integer(),
    v.minValue(60, "Member must have value greater than or equal to 60"),
    v.maxValue(21600, "Member must have value less than or equal to 21600"),
  )),
  DestinationConfig: v.optional(v.object({ OnSuccess: DestinationSchema, OnFailure: DestinationSchema })),
});

/** The change a request body asks for: a destination object given without `Destination` clears it. */
function changeOf(input: v.InferOutput<typeof EventInvokeConfigInputSchema>): EventInvokeConfigChange {
  const { OnSuccess, OnFailure } = input.DestinationConfig ?? {};
  return {
    ...(input.MaximumRetryAttempts === undefined ? {} : { maximumRetryAttempts: input.MaximumRetryAttempts }),
    ...(input.MaximumEventAgeInSeconds === undefined
      ? {}
      : { maximumEventAgeInSeconds: input.MaximumEventAgeInSeconds }),
    ...(OnSuccess ? { onSuccess: OnSuccess.Destination ?? "" } : {}),
    ...(OnFailure ? { onFailure: OnFailure.Destination ?? "" } : {}),
  };
}

function render(deps: Deps, name: string, qualifier: string | undefined, stored: StoredEventInvokeConfig) {
  const { config } = stored;
  return {
    LastModified: stored.lastModified,
    FunctionArn: functionArn(deps.region, deps.accountId, name, qualifier),
    MaximumRetryAttempts: config.maximumRetryAttempts,
    MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds,
    DestinationConfig: {
      OnSuccess: config.onSuccess ? { Destination: config.onSuccess } : {},
      OnFailure: config.onFailure ? { Destination: config.onFailure } : {},
    },
  };
}

/** Builds the Put handler (replaces the whole configuration) or, with `update`, the Update handler (merges). */
export function putEventInvokeConfigHandler(deps: Deps, update = false): Handler<ApiEnv> {
  return async (c) => {
    const ref = functionRefOf(c);
    const input = await readInput(c, EventInvokeConfigInputSchema);
    const stored = deps.eventInvokeConfigs.put(ref, changeOf(input), update);
    return c.json(render(deps, ref.name, ref.qualifier, stored));
  };
}

/** Builds the Get handler. */
export function getEventInvokeConfigHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    const ref = functionRefOf(c);
    return c.json(render(deps, ref.name, ref.qualifier, deps.eventInvokeConfigs.get(ref)));
  };
}

/** Builds the Delete handler. */
export function deleteEventInvokeConfigHandler(deps: Pick<ApiDeps, "eventInvokeConfigs">): Handler<ApiEnv> {
  return (c) => {
    deps.eventInvokeConfigs.delete(functionRefOf(c));
    return c.body(null, 204);
  };
}
