/** @module Invocations: runs one now (RequestResponse) or queues it durably (Event) for the dispatcher to run. */
import { type DispatcherOptions, EventDispatcher } from "../events/mod.ts";
import type { InvocationRequest } from "../runtime-api/mod.ts";
import {
  type FunctionTarget,
  type InvocationResult,
  type StreamedInvocation,
  streamedInvocation,
} from "../scheduler/mod.ts";
import type { DeadLetter, NewQueuedEvent, QueuedEvent } from "../store/mod.ts";
import { functionArn, type FunctionRef, parseFunctionRef } from "./arn.ts";
import type { ControlPlaneDeps } from "./deps.ts";
import { functionNotFound, resolveVersion, targetOf } from "./resolve.ts";

type InvocationDeps = Pick<
  ControlPlaneDeps,
  "store" | "code" | "scheduler" | "sandbox" | "region" | "accountId"
>;

/** An Event invocation to queue (with an ordering key, it runs after the earlier events of that key). */
export type NewEvent = NewQueuedEvent;

/** An X-Ray style trace id, as Lambda hands to every invocation. */
export function traceId(): string {
  const time = Math.floor(Date.now() / 1000).toString(16).padStart(8, "0");
  // a random UUID's hex digits, without its dashes: 8-4-4-4-12
  const uuid = crypto.randomUUID();
  const root = `${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(14, 18)}${uuid.slice(19, 23)}${
    uuid.slice(24, 28)
  }`;
  return `Root=1-${time}-${root};Parent=${uuid.slice(28)}${uuid.slice(0, 8)};Sampled=0`;
}

/** Runs invocations now or later, and keeps the Event queue's dead letters. */
export class Invocations {
  readonly #deps: InvocationDeps;
  readonly #dispatcher: EventDispatcher;
  /**
   * Targets by function name and version, built while the functions' stored state was at `#targetsRevision`: an
   * invocation then skips the code and layer checks and the uid lookup.
   */
  readonly #targets = new Map<string, FunctionTarget>();
  #targetsRevision = -1;

  constructor(deps: InvocationDeps, options: DispatcherOptions) {
    this.#deps = deps;
    this.#dispatcher = new EventDispatcher({
      store: deps.store,
      run: (event) => this.#runQueued(event),
      sendTo: (arn, payload) => this.#sendTo(arn, payload),
    }, options);
  }

  /** The version `ref` runs (an alias draws by its routing weights), ready to run: its code extracted. */
  async target(ref: FunctionRef): Promise<FunctionTarget> {
    const { config, version } = resolveVersion(this.#deps, ref, Math.random);
    const revision = this.#deps.store.functions.revision;
    if (revision !== this.#targetsRevision) {
      this.#targets.clear();
      this.#targetsRevision = revision;
    }
    const key = `${config.functionName}\0${version}`;
    const known = this.#targets.get(key);
    if (known) return known;
    const target = await targetOf(this.#deps, config, version);
    // built from the state of `revision`: kept only if nothing changed while its code was extracted
    if (this.#deps.store.functions.revision === revision) this.#targets.set(key, target);
    return target;
  }

  /** Runs `request` on `target` and waits for its outcome. */
  async run(target: FunctionTarget, request: InvocationRequest): Promise<InvocationResult> {
    return await this.#deps.scheduler.invoke(target, request);
  }

  /**
   * Runs `request` on `target` and resolves as soon as its answer starts: the response stream of a worker that
   * streams (`InvokeWithResponseStream`, `RESPONSE_STREAM` function URLs), else the whole result.
   */
  stream(target: FunctionTarget, request: InvocationRequest): Promise<StreamedInvocation> {
    return streamedInvocation((streaming) => this.#deps.scheduler.invoke(target, streaming), request);
  }

  /** Accepts an Event invocation: when this returns it is on disk; the dispatcher runs it soon. */
  enqueue(event: NewEvent): void {
    this.#deps.store.events.enqueue(event);
    this.#dispatcher.wake();
  }

  /**
   * Accepts an Event invocation in a group commit with the others accepted during this turn of the event loop (one
   * sync to disk for all): when the promise resolves it is on disk, and the caller may acknowledge it.
   */
  async accept(event: NewEvent): Promise<void> {
    await this.#deps.store.events.enqueueGrouped(event);
    this.#dispatcher.wake();
  }

  /** Accepts several Event invocations in one transaction: when this returns all are on disk, or none is. */
  enqueueAll(events: readonly NewEvent[]): void {
    if (events.length === 0) return;
    this.#deps.store.events.enqueueAll(events);
    this.#dispatcher.wake();
  }

  /** How many Event invocations wait in the queue. */
  queued(): number {
    return this.#deps.store.events.size();
  }

  /** The Event invocations that failed for good (of one function, or all). */
  deadLetters(functionName?: string): DeadLetter[] {
    return this.#deps.store.events.deadLetters(functionName);
  }

  /** Puts dead letters back in the queue; returns how many. */
  replayDeadLetters(functionName?: string): number {
    const replayed = this.#deps.store.events.replay(functionName, Date.now());
    this.#dispatcher.wake();
    return replayed;
  }

  /** Deletes dead letters; returns how many. */
  purgeDeadLetters(functionName?: string): number {
    return this.#deps.store.events.purge(functionName);
  }

  /** Starts running queued events (those left from before a restart first). */
  start(): void {
    this.#dispatcher.start();
  }

  /** Stops taking queued events and waits for the running ones; the rest stay queued. */
  async stop(): Promise<void> {
    await this.#dispatcher.stop();
  }

  async #runQueued(event: QueuedEvent): Promise<InvocationResult> {
    const config = this.#deps.store.functions.getVersion(event.functionName, event.version);
    if (!config) throw functionNotFound(this.#deps, { name: event.functionName, qualifier: event.version });
    const target = await targetOf(this.#deps, config, event.version);
    return await this.run(target, {
      requestId: event.id,
      payload: event.payload,
      invokedFunctionArn: event.invokedArn,
      traceId: traceId(),
      ...(event.clientContext === null ? {} : { clientContext: event.clientContext }),
    });
  }

  /** Queues the outcome record of an event for the destination function `arn` names. */
  #sendTo(arn: string, payload: Uint8Array): void {
    const ref = parseFunctionRef(arn);
    const { version } = resolveVersion(this.#deps, ref, Math.random);
    this.enqueue({
      id: crypto.randomUUID(),
      functionName: ref.name,
      version,
      invokedArn: functionArn(this.#deps.region, this.#deps.accountId, ref.name, ref.qualifier),
      payload,
      clientContext: null,
      enqueuedAt: Date.now(),
    });
  }
}
