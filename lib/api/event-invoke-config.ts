/** @module Put/Update/Get/DeleteFunctionEventInvokeConfig: `/2019-09-25/functions/{F}/event-invoke-config`. */
import type { Context, Handler } from "hono";
import * as v from "valibot";
import { LambdaError } from "../errors/mod.ts";
import { EVENT_INVOKE_DEFAULTS, type EventInvokeConfig, type StoredEventInvokeConfig } from "../store/mod.ts";
import { functionArn, parseFunctionRef } from "./arn.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { functionRefOf, readInput } from "./request.ts";
import { functionNotFound, resolveVersion } from "./resolve.ts";

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

type EventInvokeConfigInput = v.InferOutput<typeof EventInvokeConfigInputSchema>;

/** A destination must be a function on this agent: queues, topics and buses are not reachable from a device. */
function checkDestination(deps: ApiDeps, arn: string | undefined): string | undefined {
  if (arn === undefined || arn === "") return undefined;
  if (!/^arn:aws[a-zA-Z-]*:lambda:/.test(arn)) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `The destination ARN ${arn} is not a Lambda function: only functions on this agent can be destinations (failed events without one go to the dead letters, see lambdalet dead-letters)`,
    );
  }
  resolveVersion(deps, parseFunctionRef(arn));
  return arn;
}

function render(deps: ApiDeps, name: string, qualifier: string, stored: StoredEventInvokeConfig) {
  const { config } = stored;
  return {
    LastModified: stored.lastModified,
    FunctionArn: functionArn(deps.region, deps.accountId, name, qualifier || undefined),
    MaximumRetryAttempts: config.maximumRetryAttempts,
    MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds,
    DestinationConfig: {
      OnSuccess: config.onSuccess ? { Destination: config.onSuccess } : {},
      OnFailure: config.onFailure ? { Destination: config.onFailure } : {},
    },
  };
}

function target(deps: ApiDeps, c: Context<ApiEnv>): { name: string; qualifier: string } {
  const ref = functionRefOf(c);
  if (ref.qualifier !== undefined) resolveVersion(deps, ref);
  else if (!deps.store.functions.exists(ref.name)) throw functionNotFound(deps, ref);
  return { name: ref.name, qualifier: ref.qualifier ?? "" };
}

function merged(deps: ApiDeps, base: EventInvokeConfig, input: EventInvokeConfigInput): EventInvokeConfig {
  const onSuccess = input.DestinationConfig?.OnSuccess
    ? checkDestination(deps, input.DestinationConfig.OnSuccess.Destination)
    : base.onSuccess;
  const onFailure = input.DestinationConfig?.OnFailure
    ? checkDestination(deps, input.DestinationConfig.OnFailure.Destination)
    : base.onFailure;
  return {
    maximumRetryAttempts: input.MaximumRetryAttempts ?? base.maximumRetryAttempts,
    maximumEventAgeInSeconds: input.MaximumEventAgeInSeconds ?? base.maximumEventAgeInSeconds,
    ...(onSuccess ? { onSuccess } : {}),
    ...(onFailure ? { onFailure } : {}),
  };
}

/** Builds the Put handler (replaces the whole configuration) or, with `update`, the Update handler (merges). */
export function putEventInvokeConfigHandler(deps: ApiDeps, update = false): Handler<ApiEnv> {
  return async (c) => {
    const { name, qualifier } = target(deps, c);
    const input = await readInput(c, EventInvokeConfigInputSchema);
    const existing = deps.store.eventInvokeConfigs.get(name, qualifier)?.config;
    if (update && !existing) throw notConfigured(deps, name, qualifier);
    const config = merged(deps, update && existing ? existing : EVENT_INVOKE_DEFAULTS, input);
    return c.json(render(deps, name, qualifier, deps.store.eventInvokeConfigs.put(name, qualifier, config)));
  };
}

/** Builds the Get handler. */
export function getEventInvokeConfigHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const { name, qualifier } = target(deps, c);
    const stored = deps.store.eventInvokeConfigs.get(name, qualifier);
    if (!stored) throw notConfigured(deps, name, qualifier);
    return c.json(render(deps, name, qualifier, stored));
  };
}

/** Builds the Delete handler. */
export function deleteEventInvokeConfigHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const { name, qualifier } = target(deps, c);
    if (!deps.store.eventInvokeConfigs.delete(name, qualifier)) throw notConfigured(deps, name, qualifier);
    return c.body(null, 204);
  };
}

function notConfigured(deps: ApiDeps, name: string, qualifier: string): LambdaError {
  return new LambdaError(
    "ResourceNotFoundException",
    `The function ${
      functionArn(deps.region, deps.accountId, name, qualifier || undefined)
    } doesn't have an EventInvokeConfig`,
  );
}
