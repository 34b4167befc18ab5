/**
 * @module The connection to the MQTT broker: a persistent session (fixed client id, clean = false), messages in
 * acknowledged only once handed on, messages out from the SQLite spool in order, reconnection with capped backoff.
 */
import type { IPublishPacket, MqttClient } from "mqtt";

let mqttModule: Promise<typeof import("mqtt")> | null = null;

/** mqtt.js, loaded when a bridge first starts: an agent without a broker never evaluates it (about 1.5 MB). */
function loadMqtt(): Promise<typeof import("mqtt")> {
  return mqttModule ??= import("mqtt");
}
import type { MqttOptions } from "../config/mod.ts";
import type { MqttSpool, SpoolBounds } from "../store/mod.ts";
import { Backoff } from "./backoff.ts";
import { readTlsMaterial, type TlsMaterial } from "./tls-files.ts";

/** Messages published to the broker and not yet acknowledged, at most: more wait in the spool. */
const MAX_IN_FLIGHT = 16;

/** Where the bridge is with its broker. */
export type ConnectionState = "connecting" | "connected" | "disconnected" | "stopped";

/** The bridge as `/status` shows it. */
export interface BridgeStatus {
  /** The broker's URL. */
  url: string;
  /** The client id of the session. */
  clientId: string;
  /** Where the connection is. */
  state: ConnectionState;
  /** When the current connection was made (ISO 8601), or null. */
  connectedSince: string | null;
  /** Why the last connection attempt failed or the last connection ended, or null. */
  lastError: string | null;
  /** The topic filters subscribed to on the broker. */
  subscriptions: string[];
  /** Messages waiting for the broker, and their bytes. */
  spool: { messages: number; bytes: number };
  /** Messages from the broker handed on (and acknowledged) since start. */
  received: number;
  /** Messages the broker acknowledged since start. */
  published: number;
  /** Messages for the broker dropped since start: the oldest when the spool was full, or refused by the broker. */
  dropped: number;
}

/** What the bridge works with. */
export interface MqttBridgeDeps {
  /** The spool of messages for the broker. */
  spool: MqttSpool;
  /**
   * Hands a message from the broker on; when it returns, the message is committed and the broker is told. A throw
   * leaves it unacknowledged: the connection is dropped, so that the broker sends it again on the next one.
   */
  receive(topic: string, payload: Uint8Array): void;
}

/** A bridge to one MQTT broker. Built stopped; {@linkcode MqttBridge.start} connects. */
export class MqttBridge {
  readonly #options: MqttOptions;
  readonly #deps: MqttBridgeDeps;
  readonly #tls: TlsMaterial;
  readonly #bounds: SpoolBounds;
  readonly #backoff: Backoff;
  readonly #filters = new Set<string>();
  readonly #inFlight = new Set<number>();
  #client: MqttClient | null = null;
  /** Bumped for each connection: callbacks of an older one are ignored. */
  #generation = 0;
  #state: ConnectionState = "stopped";
  #mqtt: typeof import("mqtt") | null = null;
  #connectedSince: string | null = null;
  #lastError: string | null = null;
  #lastSent = 0;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #pumpQueued = false;
  #counters = { received: 0, published: 0, dropped: 0 };

  /** Reads the TLS files at once: throws {@linkcode MqttBridgeError} naming one that cannot be read. */
  constructor(options: MqttOptions, deps: MqttBridgeDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#tls = readTlsMaterial(options);
    this.#bounds = options.spooler;
    this.#backoff = new Backoff(
      options.reconnectDelaySeconds.min * 1000,
      options.reconnectDelaySeconds.max * 1000,
    );
  }

  /** Connects (and keeps reconnecting until {@linkcode MqttBridge.stop}). */
  start(): void {
    if (this.#state !== "stopped") return;
    this.#state = "connecting";
    const generation = this.#generation;
    void loadMqtt().then((mqtt) => {
      this.#mqtt = mqtt;
      if (generation === this.#generation && this.#state === "connecting") this.#connect();
    });
  }

  /** Subscribes to exactly `filters` on the broker from now on (at QoS 1), now if connected, else on connecting. */
  subscribe(filters: Iterable<string>): void {
    const wanted = new Set(filters);
    const added = [...wanted].filter((filter) => !this.#filters.has(filter));
    const removed = [...this.#filters].filter((filter) => !wanted.has(filter));
    for (const filter of removed) this.#filters.delete(filter);
    for (const filter of added) this.#filters.add(filter);
    const client = this.#state === "connected" ? this.#client : null;
    if (!client) return;
    if (removed.length) client.unsubscribe(removed);
    if (added.length) this.#subscribeOn(client, added);
  }

  /**
   * Spools a message for the broker (inside the caller's transaction, when there is one) and sends it once that is
   * committed and the broker is reachable, after every message spooled before it. Past the spool's bounds the oldest
   * messages are dropped, and counted.
   */
  send(topic: string, payload: Uint8Array): void {
    const { dropped } = this.#deps.spool.add(topic, payload, this.#bounds);
    if (dropped) {
      this.#counters.dropped += dropped;
      console.warn(`lambdalet: the MQTT spool is full: dropped the ${dropped} oldest message(s)`);
    }
    this.#schedulePump();
  }

  /** The connection, the spool and the counters. */
  status(): BridgeStatus {
    const depth = this.#deps.spool.depth();
    return {
      url: this.#options.url,
      clientId: this.#options.clientId,
      state: this.#state,
      connectedSince: this.#connectedSince,
      lastError: this.#lastError,
      subscriptions: [...this.#filters].sort(),
      spool: { messages: depth.count, bytes: depth.bytes },
      ...this.#counters,
    };
  }

  /** Closes the connection; messages not yet acknowledged stay spooled (or with the broker) for the next start. */
  async stop(): Promise<void> {
    this.#state = "stopped";
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    this.#generation++;
    const client = this.#client;
    this.#client = null;
    if (client) await client.endAsync(true).catch(() => {});
  }

  #connect(): void {
    this.#retry = null;
    const generation = ++this.#generation;
    this.#state = "connecting";
    this.#inFlight.clear();
    this.#lastSent = 0;
    // a new client each time: nothing of an old connection's state (its own outgoing store) is replayed twice
    const client = this.#mqtt!.connect(this.#options.url, {
      clientId: this.#options.clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      keepalive: 60,
      resubscribe: false,
      queueQoSZero: false,
      rejectUnauthorized: true,
      ...this.#tls,
    });
    this.#client = client;
    const current = () => generation === this.#generation;
    // called before the PUBACK is written: it goes out only once the message is handed on
    client.handleMessage = (packet, done) => {
      if (!current()) return;
      if (this.#handOn(packet)) done();
      else client.end(true);
    };
    client.on("connect", () => {
      if (!current()) return;
      this.#state = "connected";
      this.#connectedSince = new Date().toISOString();
      this.#backoff.reset();
      if (this.#filters.size) this.#subscribeOn(client, [...this.#filters]);
      this.#pump();
    });
    client.on("error", (error) => {
      if (current()) this.#lastError = error.message;
    });
    client.on("close", () => {
      if (!current()) return;
      client.end(true);
      this.#client = null;
      this.#connectedSince = null;
      this.#state = "disconnected";
      const delay = this.#backoff.next();
      this.#retry = setTimeout(() => this.#connect(), delay);
    });
  }

  /** Hands a message from the broker on; false when it could not be committed (it stays unacknowledged). */
  #handOn(packet: IPublishPacket): boolean {
    const payload = typeof packet.payload === "string"
      ? new TextEncoder().encode(packet.payload)
      : new Uint8Array(packet.payload.buffer, packet.payload.byteOffset, packet.payload.byteLength);
    try {
      this.#deps.receive(packet.topic, payload);
    } catch (error) {
      this.#lastError = `a message on ${packet.topic} could not be committed: ${
        error instanceof Error ? error.message : String(error)
      }`;
      console.error(
        `lambdalet: MQTT bridge: ${this.#lastError}; reconnecting so that the broker sends it again`,
      );
      return false;
    }
    this.#counters.received++;
    return true;
  }

  #subscribeOn(client: MqttClient, filters: string[]): void {
    client.subscribe(filters, { qos: 1 }, (error, granted) => {
      if (error) {
        this.#lastError = `subscribing to ${filters.join(", ")}: ${error.message}`;
        return;
      }
      const refused = (granted ?? []).filter((grant) => grant.qos === 128).map((grant) => grant.topic);
      if (refused.length) {
        this.#lastError = `the broker refused the subscription to ${refused.join(", ")}`;
        console.warn(`lambdalet: MQTT bridge: ${this.#lastError}`);
      }
    });
  }

  /** Pumps once the caller's transaction is over (the spooled row is then committed, or gone). */
  #schedulePump(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  /** Publishes spooled messages in order, keeping at most {@linkcode MAX_IN_FLIGHT} unacknowledged. */
  #pump(): void {
    const client = this.#client;
    if (!client || this.#state !== "connected") return;
    const generation = this.#generation;
    const room = MAX_IN_FLIGHT - this.#inFlight.size;
    if (room <= 0) return;
    for (const message of this.#deps.spool.next(this.#lastSent, room)) {
      this.#inFlight.add(message.id);
      this.#lastSent = message.id;
      client.publish(message.topic, Buffer.from(message.payload), { qos: 1 }, (error) => {
        if (generation !== this.#generation) return;
        this.#inFlight.delete(message.id);
        if (error && !client.connected) return; // the connection ended: sent again on the next one
        this.#deps.spool.remove(message.id);
        if (error) {
          this.#counters.dropped++;
          this.#lastError = `the broker refused a message on ${message.topic}: ${error.message}`;
        } else {
          this.#counters.published++;
        }
        this.#pump();
      });
    }
  }
}
