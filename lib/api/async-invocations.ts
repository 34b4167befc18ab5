/** @module Connects the durable Event queue to the scheduler: how queued events run and reach destinations. */
import { LambdaError } from "../errors/mod.ts";
import { type DispatcherOptions, EventDispatcher } from "../events/mod.ts";
import type { Scheduler } from "../scheduler/mod.ts";
import type { QueuedEvent } from "../store/mod.ts";
import { functionArn, parseFunctionRef } from "./arn.ts";
import type { ApiDeps } from "./context.ts";
import { resolveVersion, type TargetDeps, targetOf } from "./resolve.ts";

/** What the Event queue needs from the agent. */
export type EventDeps = TargetDeps & { scheduler: Scheduler };

/** An X-Ray style trace id, as Lambda hands to every invocation. */
export function traceId(): string {
  const time = Math.floor(Date.now() / 1000).toString(16).padStart(8, "0");
  const random = crypto.randomUUID().replaceAll("-", "");
  return `Root=1-${time}-${random.slice(0, 24)};Parent=${random.slice(16, 32)};Sampled=0`;
}

/** Makes the dispatcher of queued events, and the function that accepts one (commit, then wake it). */
export function createEventPipeline(
  deps: EventDeps,
  options: DispatcherOptions,
): { dispatcher: EventDispatcher; enqueueEvent: ApiDeps["enqueueEvent"] } {
  const enqueueEvent: ApiDeps["enqueueEvent"] = (event) => {
    deps.store.events.enqueue(event);
    dispatcher.wake();
  };
  const dispatcher: EventDispatcher = new EventDispatcher({
    store: deps.store,
    async run(event: QueuedEvent) {
      const config = deps.store.functions.getVersion(event.functionName, event.version);
      if (!config) {
        throw new LambdaError(
          "ResourceNotFoundException",
          `Function not found: ${
            functionArn(deps.region, deps.accountId, event.functionName, event.version)
          }`,
        );
      }
      const target = await targetOf(deps, config, event.version);
      return await deps.scheduler.invoke(target, {
        requestId: event.id,
        payload: event.payload,
        invokedFunctionArn: event.invokedArn,
        traceId: traceId(),
        ...(event.clientContext === null ? {} : { clientContext: event.clientContext }),
      });
    },
    sendTo(arn: string, payload: Uint8Array) {
      const ref = parseFunctionRef(arn);
      const { version } = resolveVersion(deps, ref, Math.random);
      enqueueEvent({
        id: crypto.randomUUID(),
        functionName: ref.name,
        version,
        invokedArn: functionArn(deps.region, deps.accountId, ref.name, ref.qualifier),
        payload,
        clientContext: null,
        enqueuedAt: Date.now(),
      });
    },
  }, options);
  return { dispatcher, enqueueEvent };
}
