/** @module Local publish/subscribe: a message on a topic becomes one queued Event per subscribed function. */
import { MAX_ASYNC_PAYLOAD_BYTES, type PubSubSource, type ReceiveMode } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { LATEST } from "../store/mod.ts";
import { topicNameProblem, TopicRouter } from "../topics/mod.ts";
import { functionArn } from "./arn.ts";
import type { PartDeps } from "./deps.ts";
import type { Invocations, NewEvent } from "./invocations.ts";

type TopicDeps = Pick<PartDeps, "store" | "changes" | "region" | "accountId">;

const EMPTY_EVENT = new TextEncoder().encode("{}");

/** One function's subscription, as `/status` shows it. */
export interface TopicSubscription {
  /** The subscribing function. */
  functionName: string;
  /** Its topic filter. */
  topic: string;
  /** Whether it hears its own messages. */
  receiveMode: ReceiveMode;
}

/** What a publish queued. */
export interface Published {
  /** The topic name. */
  topic: string;
  /** The request id of each subscriber's event (what its handler sees as its request id). */
  messageIds: string[];
}

/** The ordering key of the topic events of `functionName`: they run one at a time, in publish order. */
export function topicOrderingKey(functionName: string): string {
  return `topics:${functionName}`;
}

/**
 * The client context a message on `topic` reaches a handler with. Greengrass (v1) tells a handler the topic as its
 * client context's custom.subject (Python's context.client_context.custom); its Node.js runtime showed it as
 * context.clientContext.Custom.subject, which every Node.js runtime here (ours, aws-lambda-ric) shows only when the
 * JSON says so.
 */
export function topicClientContext(topic: string): string {
  return JSON.stringify({ custom: { subject: topic }, Custom: { subject: topic } });
}

/** The queued Event of one subscriber (its `$LATEST`, in its function's line) for a message. */
export function topicEvent(
  names: { region: string; accountId: string },
  subscriber: { functionName: string; encoding: "json" | "binary" },
  payload: Uint8Array,
  clientContext: string,
  now: number,
): NewEvent {
  return {
    id: crypto.randomUUID(),
    functionName: subscriber.functionName,
    version: LATEST,
    invokedArn: functionArn(names.region, names.accountId, subscriber.functionName),
    payload: subscriber.encoding === "json" && payload.byteLength === 0 ? EMPTY_EVENT : payload,
    clientContext,
    enqueuedAt: now,
    orderingKey: topicOrderingKey(subscriber.functionName),
  };
}

/** Publishes messages to the functions whose `$LATEST` `Edge.eventSources` subscribe to their topic. */
export class Topics {
  readonly #deps: TopicDeps;
  readonly #invocations: Pick<Invocations, "enqueueAll">;
  readonly #router: TopicRouter;
  #forward: ((topic: string, payload: Uint8Array) => void) | null = null;

  constructor(deps: TopicDeps, invocations: Pick<Invocations, "enqueueAll">) {
    this.#deps = deps;
    this.#invocations = invocations;
    this.#router = new TopicRouter({
      names: () => new Set(deps.store.functions.listAllVersions().map((config) => config.functionName)),
      settings: (name) => {
        const config = deps.store.functions.getVersion(name, LATEST);
        if (!config) return null;
        return {
          sources: config.edge.eventSources.filter((source): source is PubSubSource =>
            source.type === "PUB_SUB"
          ),
          encoding: config.edge.inputPayloadEncodingType,
        };
      },
    });
    deps.changes.subscribe((name) => this.#router.refresh(name));
  }

  /**
   * Queues `payload` for every function subscribed to `topic` (not `publisher`'s own unless it asks for
   * `RECEIVE_ALL_MESSAGES`), in one transaction: when this returns, every subscriber's event is on disk. A payload
   * that is not JSON is refused when a subscriber takes JSON (its handler could never parse it).
   */
  publish(topic: string, payload: Uint8Array, publisher?: string): Published {
    return this.#publish(topic, payload, publisher, true);
  }

  /**
   * Publishes a message that came from the MQTT broker (through a mapping to `Pubsub`): as {@linkcode publish}, but
   * never handed back to the broker.
   */
  relay(topic: string, payload: Uint8Array): Published {
    return this.#publish(topic, payload, undefined, false);
  }

  /**
   * Has every local publish also handed to `forward` (the MQTT bridge's mappings from `Pubsub`), in the same
   * transaction as the subscribers' events.
   */
  forwardTo(forward: (topic: string, payload: Uint8Array) => void): void {
    this.#forward = forward;
  }

  #publish(topic: string, payload: Uint8Array, publisher: string | undefined, forward: boolean): Published {
    const problem = topicNameProblem(topic);
    if (problem) throw new LambdaError("InvalidParameterValueException", `The topic name ${problem}`);
    if (payload.byteLength > MAX_ASYNC_PAYLOAD_BYTES) {
      throw new LambdaError(
        "RequestTooLargeException",
        `A message must be at most ${MAX_ASYNC_PAYLOAD_BYTES} bytes: it is ${payload.byteLength}`,
      );
    }
    const subscribers = this.#router.match(topic, publisher);
    if (subscribers.some((subscriber) => subscriber.encoding === "json")) checkJson(payload);
    const now = Date.now();
    const clientContext = topicClientContext(topic);
    const events = subscribers.map((subscriber) =>
      topicEvent(this.#deps, subscriber, payload, clientContext, now)
    );
    const outward = forward ? this.#forward : null;
    if (outward) {
      this.#deps.store.db.transaction(() => {
        this.#invocations.enqueueAll(events);
        outward(topic, payload);
      })();
    } else {
      this.#invocations.enqueueAll(events);
    }
    return { topic, messageIds: events.map((event) => event.id) };
  }

  /** Every function's subscriptions, by function name. */
  subscriptions(): TopicSubscription[] {
    return this.#router.all().map(({ functionName, topic, receiveMode }) => ({
      functionName,
      topic,
      receiveMode,
    }));
  }
}

function checkJson(payload: Uint8Array): void {
  if (payload.byteLength === 0) return;
  try {
    JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch (error) {
    throw new LambdaError(
      "InvalidRequestContentException",
      `A subscriber of this topic takes JSON (inputPayloadEncodingType json), and the message is not JSON: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}
