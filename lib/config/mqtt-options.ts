/** @module The agent config's `mqtt` member: the MQTT bridge, with the names of Greengrass's MQTT bridge component. */
import { hostname } from "node:os";
import * as v from "valibot";

/** Where a bridged message comes from or goes to: the local pub/sub or the MQTT broker (AWS IoT Core or another). */
export type MessageBroker = "Pubsub" | "IotCore";

/** One entry of `mqttTopicMapping`: messages on `topic` from `source` are relayed to `target`. */
export interface TopicMapping {
  /** A topic filter (`+` one level, `#` the rest) the source's messages must match. */
  topic: string;
  /** Where the messages come from. */
  source: MessageBroker;
  /** Where they are relayed to. */
  target: MessageBroker;
  /** Put before the topic on the target (`cloud/` relays `sensors/a` as `cloud/sensors/a`). @default "" */
  targetTopicPrefix: string;
}

/** How much the spool of messages waiting for the broker may hold; the oldest are dropped past either bound. */
export interface SpoolerOptions {
  /** Bytes of payload and topic, in all. @default 2621440 (Greengrass's spooler default, 2.5 MB) */
  maxSizeInBytes: number;
  /** Messages, in all. @default 10000 */
  maxMessages: number;
}

/** The MQTT bridge's settings, after validation and defaults. */
export interface MqttOptions {
  /** The broker: `mqtts://host:8883` (TLS) or `mqtt://host:1883`. */
  url: string;
  /** The client id; fixed, so that the broker keeps the session (and unacknowledged messages) across restarts. @default "lambdalet-<hostname>" */
  clientId: string;
  /** PEM file of the certificate authorities the broker's certificate must chain to. @default null (the system's) */
  caPath: string | null;
  /** PEM file of the client certificate (AWS IoT Core requires one). Both or neither with `keyPath`. @default null */
  certPath: string | null;
  /** PEM file of the client certificate's private key. @default null */
  keyPath: string | null;
  /** What is relayed between the local pub/sub and the broker, by mapping name. @default {} */
  mqttTopicMapping: Record<string, TopicMapping>;
  /** Bounds of the SQLite spool of outgoing messages. */
  spooler: SpoolerOptions;
  /** The first and the longest wait before reconnecting, in seconds; each failure doubles the wait. @default { min: 1, max: 120 } */
  reconnectDelaySeconds: { min: number; max: number };
}

/** Greengrass's spooler default: 2.5 MB. */
export const DEFAULT_SPOOL_BYTES = 2_621_440;

const TOPIC_FILTER_PATTERN = /^(?:[^+#/]*|\+)(?:\/(?:[^+#/]*|\+))*(?:\/#)?$|^#$/;

const TopicFilterSchema = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.maxLength(256, "must be at most 256 characters"),
  v.regex(
    TOPIC_FILTER_PATTERN,
    "must be a topic filter: levels separated by /, + for a whole level, # only as the last level",
  ),
);

const BrokerSchema = v.picklist(
  ["Pubsub", "IotCore"],
  "must be Pubsub or IotCore (LocalMqtt needs a local MQTT broker, which lambdalet does not run)",
);

const TopicMappingSchema = v.pipe(
  v.strictObject({
    topic: TopicFilterSchema,
    source: BrokerSchema,
    target: BrokerSchema,
    targetTopicPrefix: v.optional(
      v.pipe(
        v.string(),
        v.maxLength(128, "must be at most 128 characters"),
        v.regex(/^[^+#]*$/, "must not hold + or #"),
      ),
      "",
    ),
  }),
  v.check(
    (mapping) => mapping.source !== mapping.target,
    "must relay between two brokers: source and target differ",
  ),
);

const PathSchema = v.pipe(v.string(), v.minLength(1, "must name a file"));

const SecondsSchema = v.pipe(
  v.number(),
  v.minValue(0.01, "must be ≥ 0.01"),
  v.maxValue(3600, "must be ≤ 3600"),
);

/** The schema of the `mqtt` member as the config file holds it. */
export const MqttOptionsSchema = v.pipe(
  v.strictObject({
    url: v.pipe(
      v.string(),
      v.regex(
        /^mqtts?:\/\/[^/:@\s]+(:\d{1,5})?\/?$/,
        "must be mqtts://host:port or mqtt://host:port (no path, user or password)",
      ),
    ),
    clientId: v.optional(
      v.pipe(v.string(), v.regex(/^[A-Za-z0-9:_.-]{1,128}$/, "must be 1-128 letters, digits, : _ . or -")),
    ),
    caPath: v.optional(PathSchema),
    certPath: v.optional(PathSchema),
    keyPath: v.optional(PathSchema),
    mqttTopicMapping: v.optional(v.record(
      v.pipe(
        v.string(),
        v.regex(/^[A-Za-z0-9_.:-]{1,128}$/, "names must be 1-128 letters, digits, _ . : or -"),
      ),
      TopicMappingSchema,
    )),
    spooler: v.optional(v.strictObject({
      maxSizeInBytes: v.optional(
        v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(1024, "must be ≥ 1024")),
      ),
      maxMessages: v.optional(
        v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(1, "must be ≥ 1")),
      ),
    })),
    reconnectDelaySeconds: v.optional(v.pipe(
      v.strictObject({ min: v.optional(SecondsSchema), max: v.optional(SecondsSchema) }),
      v.check(
        ({ min, max }) => (min ?? 1) <= (max ?? 120),
        "must have min ≤ max",
      ),
    )),
  }),
  v.check(
    (input) => (input.certPath === undefined) === (input.keyPath === undefined),
    "needs both certPath and keyPath, or neither",
  ),
  v.check(
    (input) => input.url.startsWith("mqtts:") || (input.certPath === undefined && input.caPath === undefined),
    "must use an mqtts:// url with caPath, certPath and keyPath (they are TLS settings)",
  ),
);

/** The `mqtt` member as the config file holds it. */
export type MqttOptionsInput = v.InferOutput<typeof MqttOptionsSchema>;

/** Applies the defaults to a validated `mqtt` member. */
export function resolveMqttOptions(input: MqttOptionsInput): MqttOptions {
  return {
    url: input.url,
    clientId: input.clientId ?? `lambdalet-${hostname().replace(/[^A-Za-z0-9:_.-]/g, "-")}`.slice(0, 128),
    caPath: input.caPath ?? null,
    certPath: input.certPath ?? null,
    keyPath: input.keyPath ?? null,
    mqttTopicMapping: Object.fromEntries(
      Object.entries(input.mqttTopicMapping ?? {}).map(([name, mapping]) => [name, { ...mapping }]),
    ),
    spooler: {
      maxSizeInBytes: input.spooler?.maxSizeInBytes ?? DEFAULT_SPOOL_BYTES,
      maxMessages: input.spooler?.maxMessages ?? 10_000,
    },
    reconnectDelaySeconds: {
      min: input.reconnectDelaySeconds?.min ?? 1,
      max: input.reconnectDelaySeconds?.max ?? 120,
    },
  };
}
