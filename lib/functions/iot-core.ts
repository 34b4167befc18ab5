/**
 * @module The MQTT bridge in the control plane: `IOT_CORE` event sources (broker messages queued as Events of their
 * subscribers) and Greengrass's `mqttTopicMapping` both ways between the broker and the local pub/sub.
 */
import {
  type IotCoreSource,
  MAX_ASYNC_PAYLOAD_BYTES,
  type MqttOptions,
  type TopicMapping,
} from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { type BridgeStatus, MqttBridge } from "../mqtt/mod.ts";
import { LATEST } from "../store/mod.ts";
import { topicMatches, TopicRouter } from "../topics/mod.ts";
import type { PartDeps } from "./deps.ts";
import type { Invocations, NewEvent } from "./invocations.ts";
import { topicClientContext, topicEvent, type Topics } from "./topics.ts";

type IotCoreDeps = Pick<PartDeps, "store" | "changes" | "region" | "accountId">;

/** The bridge as `/status` shows it: the connection, spool and counters, and who subscribes to what. */
export interface MqttStatus extends BridgeStatus {
  /** Messages from the broker a subscriber or mapping could not take (not JSON, too large, not a local topic name). */
  undeliverable: number;
  /** Each function's `IOT_CORE` topic filters. */
  eventSources: { functionName: string; topic: string }[];
}

/** Joins the MQTT bridge to the functions' `IOT_CORE` sources and to the local pub/sub through the topic mappings. */
export class IotCore {
  readonly #deps: IotCoreDeps;
  readonly #invocations: Pick<Invocations, "enqueueAll">;
  readonly #topics: Topics;
  readonly #bridge: MqttBridge;
  readonly #router: TopicRouter;
  readonly #mappings: TopicMapping[];
  #undeliverable = 0;

  /** Builds the bridge (reading its TLS files: an unreadable one throws `MqttBridgeError`); {@linkcode start} connects. */
  constructor(
    deps: IotCoreDeps,
    parts: { invocations: Pick<Invocations, "enqueueAll">; topics: Topics },
    options: MqttOptions,
  ) {
    this.#deps = deps;
    this.#invocations = parts.invocations;
    this.#topics = parts.topics;
    this.#mappings = Object.values(options.mqttTopicMapping);
    this.#bridge = new MqttBridge(options, {
      spool: deps.store.mqttSpool,
      receive: (topic, payload) => this.#receive(topic, payload),
    });
    this.#router = new TopicRouter({
      names: () => new Set(deps.store.functions.listAllVersions().map((config) => config.functionName)),
      settings: (name) => {
        const config = deps.store.functions.getVersion(name, LATEST);
        if (!config) return null;
        return {
          sources: config.edge.eventSources
            .filter((source): source is IotCoreSource => source.type === "IOT_CORE")
            .map(({ topic }) => ({ topic, receiveMode: "RECEIVE_ALL_MESSAGES" as const })),
          encoding: config.edge.inputPayloadEncodingType,
        };
      },
    });
    deps.changes.subscribe((name) => {
      this.#router.refresh(name);
      this.#bridge.subscribe(this.#filters());
    });
    this.#bridge.subscribe(this.#filters());
    this.#topics.forwardTo((topic, payload) => this.#toBroker(topic, payload));
  }

  /** Connects to the broker. */
  start(): void {
    this.#bridge.start();
  }

  /** Disconnects; what is spooled stays for the next start. */
  stop(): Promise<void> {
    return this.#bridge.stop();
  }

  /** The connection, the spool, the counters and the subscriptions. */
  status(): MqttStatus {
    return {
      ...this.#bridge.status(),
      undeliverable: this.#undeliverable,
      eventSources: this.#router.all().map(({ functionName, topic }) => ({ functionName, topic })),
    };
  }

  /** The filters to hold on the broker: every `IOT_CORE` source's and every mapping's from `IotCore`. */
  #filters(): Set<string> {
    const filters = new Set(this.#router.all().map((subscription) => subscription.topic));
    for (const mapping of this.#mappings) if (mapping.source === "IotCore") filters.add(mapping.topic);
    return filters;
  }

  /**
   * A message from the broker: one queued Event per `IOT_CORE` subscriber (in the function's topic order) and a local
   * publish per mapping to `Pubsub`, all in one transaction. What a subscriber cannot take is skipped and counted; a
   * failure to commit throws, so the message stays unacknowledged.
   */
  #receive(topic: string, payload: Uint8Array): void {
    this.#deps.store.db.transaction(() => {
      this.#invocations.enqueueAll(this.#events(topic, payload));
      const targets = new Set(
        this.#mappings
          .filter((mapping) => mapping.source === "IotCore" && topicMatches(mapping.topic, topic))
          .map((mapping) => mapping.targetTopicPrefix + topic),
      );
      for (const target of targets) {
        try {
          this.#topics.relay(target, payload);
        } catch (error) {
          if (!(error instanceof LambdaError)) throw error;
          this.#skip(`relaying ${topic} to the local topic ${target}: ${error.message}`);
        }
      }
    })();
  }

  #events(topic: string, payload: Uint8Array): NewEvent[] {
    const subscribers = this.#router.match(topic);
    if (subscribers.length === 0) return [];
    if (payload.byteLength > MAX_ASYNC_PAYLOAD_BYTES) {
      this.#skip(
        `a message on ${topic} has ${payload.byteLength} bytes: an event may have ${MAX_ASYNC_PAYLOAD_BYTES}`,
      );
      return [];
    }
    const json = isJson(payload);
    const now = Date.now();
    const clientContext = topicClientContext(topic);
    return subscribers.flatMap((subscriber) => {
      if (subscriber.encoding === "json" && !json) {
        this.#skip(`${subscriber.functionName} takes JSON and a message on ${topic} is not JSON`);
        return [];
      }
      return [topicEvent(this.#deps, subscriber, payload, clientContext, now)];
    });
  }

  /** A local publish: spooled for the broker once per target topic of the mappings from `Pubsub` it matches. */
  #toBroker(topic: string, payload: Uint8Array): void {
    const targets = new Set(
      this.#mappings
        .filter((mapping) => mapping.source === "Pubsub" && topicMatches(mapping.topic, topic))
        .map((mapping) => mapping.targetTopicPrefix + topic),
    );
    for (const target of targets) this.#bridge.send(target, payload);
  }

  #skip(reason: string): void {
    this.#undeliverable++;
    console.warn(`lambdalet: MQTT bridge: skipped: ${reason}`);
  }
}

function isJson(payload: Uint8Array): boolean {
  if (payload.byteLength === 0) return true;
  try {
    JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
    return true;
  } catch {
    return false;
  }
}
