/** @module The subscription table: which functions' `$LATEST` settings subscribe to which topic filters. */
import type { PubSubSource, ReceiveMode } from "../config/mod.ts";
import { topicMatches } from "./topic-name.ts";

/** One function's subscription to a topic filter. */
export interface Subscription {
  /** The subscribing function. */
  functionName: string;
  /** The topic filter. */
  topic: string;
  /** Whether it hears its own messages. */
  receiveMode: ReceiveMode;
  /** `json` (the message parsed) or `binary` (the raw bytes), from the function's `inputPayloadEncodingType`. */
  encoding: "json" | "binary";
}

/** What the router reads of a function: its `$LATEST` `PUB_SUB` sources and payload encoding, or null when gone. */
export interface SubscriberSettings {
  /** The function's subscriptions: its `PUB_SUB` event sources (or the topic filters of other sources). */
  sources: readonly Pick<PubSubSource, "topic" | "receiveMode">[];
  /** Its `Edge.inputPayloadEncodingType`. */
  encoding: "json" | "binary";
}

/** Where the router reads functions' settings from (the store, through the control plane). */
export interface RouterSource {
  /** Every function's name. */
  names(): Iterable<string>;
  /** One function's settings, or null when it no longer exists. */
  settings(functionName: string): SubscriberSettings | null;
}

/** Keeps the subscription table and finds, for a published topic, the functions it goes to. */
export class TopicRouter {
  readonly #source: RouterSource;
  readonly #byFunction = new Map<string, Subscription[]>();

  constructor(source: RouterSource) {
    this.#source = source;
    for (const name of source.names()) this.refresh(name);
  }

  /** Reads one function's subscriptions again (after it changed, or was deleted). */
  refresh(functionName: string): void {
    const settings = this.#source.settings(functionName);
    const subscriptions = (settings?.sources ?? []).map((source) => ({
      functionName,
      topic: source.topic,
      receiveMode: source.receiveMode,
      encoding: settings!.encoding,
    }));
    if (subscriptions.length === 0) this.#byFunction.delete(functionName);
    else this.#byFunction.set(functionName, subscriptions);
  }

  /**
   * The subscriptions a message on `topic` goes to: at most one per function (the first of its filters that
   * matches and lets it hear the message), skipping `publisher`'s own filters unless they ask for `RECEIVE_ALL_MESSAGES`.
   */
  match(topic: string, publisher?: string): Subscription[] {
    const found: Subscription[] = [];
    for (const [functionName, subscriptions] of this.#byFunction) {
      const own = functionName === publisher;
      const hit = subscriptions.find((subscription) =>
        (!own || subscription.receiveMode === "RECEIVE_ALL_MESSAGES") &&
        topicMatches(subscription.topic, topic)
      );
      if (hit) found.push(hit);
    }
    return found;
  }

  /** Every subscription, by function name then in the order the function lists them. */
  all(): Subscription[] {
    return [...this.#byFunction.keys()].sort().flatMap((name) => this.#byFunction.get(name)!);
  }
}
