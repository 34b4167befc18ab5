/** @module The Lambda Telemetry API (2022-07-01): subscriptions, and their records batched to each listener. */
import * as v from "valibot";

/** A stream of records an extension may subscribe to. */
export type TelemetryCategory = "platform" | "function" | "extension";

/** One record as the Telemetry API delivers it: `{time, type, record}`. */
export interface TelemetryRecord {
  /** When it happened, ISO 8601 with milliseconds. */
  time: string;
  /** `platform.<event>`, `function` or `extension`. */
  type: string;
  /** The event's fields, or the line written. */
  record: unknown;
}

/** Lambda's limits and defaults on a subscription's buffering. */
export const TELEMETRY_BUFFERING = {
  maxItems: { min: 1000, max: 10000, default: 10000 },
  maxBytes: { min: 262144, max: 1048576, default: 262144 },
  timeoutMs: { min: 25, max: 30000, default: 1000 },
} as const;

const limit = (name: keyof typeof TELEMETRY_BUFFERING) => {
  const { min, max } = TELEMETRY_BUFFERING[name];
  return v.optional(v.pipe(
    v.number(),
    v.integer(`${name} must be an integer`),
    v.minValue(min, `${name} must be ≥ ${min}`),
    v.maxValue(max, `${name} must be ≤ ${max}`),
  ));
};

const SubscriptionSchema = v.object({
  schemaVersion: v.picklist(
    ["2022-07-01", "2022-12-13", "2025-01-29"],
    "schemaVersion must be one of 2022-07-01, 2022-12-13, 2025-01-29",
  ),
  types: v.pipe(
    v.array(
      v.picklist(["platform", "function", "extension"], "types must be platform, function or extension"),
    ),
    v.minLength(1, "types must name at least one of platform, function, extension"),
  ),
  buffering: v.optional(v.object({
    maxItems: limit("maxItems"),
    maxBytes: limit("maxBytes"),
    timeoutMs: limit("timeoutMs"),
  })),
  destination: v.object({
    protocol: v.literal("HTTP", "destination.protocol must be HTTP (TCP is not supported by lambdalet)"),
    URI: v.pipe(v.string(), v.minLength(1)),
  }),
});

/** A validated subscription. */
export interface Subscription {
  /** The streams subscribed to. */
  types: Set<TelemetryCategory>;
  /** Where batches are posted, with `sandbox.localdomain` resolved to the loopback address. */
  url: string;
  /** Buffering, Lambda's defaults filled in. */
  maxItems: number;
  maxBytes: number;
  timeoutMs: number;
}

/** Hosts a listener may be named by: the execution environment's own network (the host's, here). */
const LOCAL_HOSTS = new Set(["sandbox.localdomain", "sandbox", "localhost", "127.0.0.1"]);

/** Parses a `PUT /telemetry` body; the error message, when it is not a valid subscription. */
export function parseSubscription(body: unknown): Subscription | string {
  const parsed = v.safeParse(SubscriptionSchema, body);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((item) => String(item.key)).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  }
  const { output } = parsed;
  let url: URL;
  try {
    url = new URL(output.destination.URI);
  } catch {
    return `Invalid destination: ${output.destination.URI} is not a URI`;
  }
  if (url.protocol !== "http:" || !LOCAL_HOSTS.has(url.hostname)) {
    return "Invalid destination: the URI must be http://sandbox.localdomain:<port>/…, a listener of the execution environment";
  }
  url.hostname = "127.0.0.1";
  const buffering = output.buffering ?? {};
  return {
    types: new Set(output.types),
    url: url.href,
    maxItems: buffering.maxItems ?? TELEMETRY_BUFFERING.maxItems.default,
    maxBytes: buffering.maxBytes ?? TELEMETRY_BUFFERING.maxBytes.default,
    timeoutMs: buffering.timeoutMs ?? TELEMETRY_BUFFERING.timeoutMs.default,
  };
}

/** How long one delivery may take before it counts as failed, in ms. */
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * One extension's subscription: records wait in a queue bounded by its `maxItems` and `maxBytes` (past them the
 * oldest go, counted) and are posted as a JSON array once the queue holds `maxItems` or `maxBytes`, or `timeoutMs`
 * after its oldest record; one batch at a time. Dropped records, and batches the listener refused, are reported
 * in a `platform.logsDropped` record at the head of the next batch.
 */
export class TelemetrySubscriber {
  /** The subscription. */
  readonly subscription: Subscription;
  readonly #queue: { record: TelemetryRecord; bytes: number }[] = [];
  #bytes = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #sending = false;
  #closed = false;
  #droppedRecords = 0;
  #droppedBytes = 0;
  #dropReason = "";

  constructor(subscription: Subscription) {
    this.subscription = subscription;
  }

  /** Queues `record` when its stream is subscribed to. */
  add(category: TelemetryCategory, record: TelemetryRecord): void {
    if (this.#closed || !this.subscription.types.has(category)) return;
    const bytes = JSON.stringify(record).length;
    const { maxItems, maxBytes } = this.subscription;
    while (this.#queue.length && (this.#queue.length >= maxItems || this.#bytes + bytes > maxBytes)) {
      this.#drop(this.#queue.shift()!.bytes, 1, "The listener did not take the records as fast as they came");
    }
    this.#queue.push({ record, bytes });
    this.#bytes += bytes;
    if (this.#queue.length >= maxItems || this.#bytes >= maxBytes) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.subscription.timeoutMs);
  }

  /** Sends what is queued now (the worker is going); resolves when it is delivered or failed. */
  async drain(): Promise<void> {
    this.#flush();
    while (this.#sending) await Bun.sleep(5);
    this.#flush();
    while (this.#sending) await Bun.sleep(5);
  }

  /** Stops delivering: what is queued is dropped. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#queue.length = 0;
    this.#bytes = 0;
  }

  #drop(bytes: number, records: number, reason: string): void {
    this.#droppedBytes += bytes;
    this.#droppedRecords += records;
    this.#dropReason = reason;
    this.#bytes -= bytes;
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#sending || this.#closed) return;
    if (!this.#queue.length && !this.#droppedRecords) return;
    const batch = this.#queue.splice(0);
    const bytes = this.#bytes;
    this.#bytes = 0;
    const records = batch.map((item) => item.record);
    if (this.#droppedRecords) {
      records.unshift({
        time: new Date().toISOString(),
        type: "platform.logsDropped",
        record: {
          reason: this.#dropReason,
          droppedRecords: this.#droppedRecords,
          droppedBytes: this.#droppedBytes,
        },
      });
      this.#droppedRecords = 0;
      this.#droppedBytes = 0;
    }
    this.#sending = true;
    void this.#send(records, batch.length, bytes).finally(() => {
      this.#sending = false;
      if (this.#queue.length >= this.subscription.maxItems || this.#bytes >= this.subscription.maxBytes) {
        this.#flush();
      } else if (this.#queue.length && !this.#timer && !this.#closed) {
        this.#timer = setTimeout(() => this.#flush(), this.subscription.timeoutMs);
      }
    });
  }

  async #send(records: TelemetryRecord[], count: number, bytes: number): Promise<void> {
    try {
      const response = await fetch(this.subscription.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(records),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`the listener answered ${response.status}`);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.#droppedRecords += count;
      this.#droppedBytes += bytes;
      this.#dropReason = `The records could not be delivered: ${why}`;
    }
  }
}

/** How many records of the init phase are kept for extensions that subscribe before it ends. */
const INIT_BACKLOG = 512;

/**
 * A worker's telemetry: records go to every subscriber of their stream. The records of the init phase are also
 * kept (the first {@linkcode INIT_BACKLOG}) for subscriptions made while it lasts, as Lambda delivers
 * `platform.initStart` to extensions that subscribe during init.
 */
export class TelemetryHub {
  readonly #subscribers = new Map<string, TelemetrySubscriber>();
  #backlog: { category: TelemetryCategory; record: TelemetryRecord }[] | null = [];

  /** Whether anyone listens: records are only built when so. */
  get active(): boolean {
    return this.#subscribers.size > 0 || this.#backlog !== null;
  }

  /** Subscribes the extension `name` (a later subscription replaces its earlier one). */
  subscribe(name: string, subscription: Subscription): void {
    this.#subscribers.get(name)?.close();
    const subscriber = new TelemetrySubscriber(subscription);
    this.#subscribers.set(name, subscriber);
    for (const { category, record } of this.#backlog ?? []) subscriber.add(category, record);
  }

  /** Delivers a record of `type` (a `platform.*` type, `function` or `extension`). */
  emit(type: string, record: unknown, time: Date = new Date()): void {
    const category: TelemetryCategory = type.startsWith("platform.") ? "platform" : type as TelemetryCategory;
    const item = { time: time.toISOString(), type, record };
    if (this.#backlog && this.#backlog.length < INIT_BACKLOG) this.#backlog.push({ category, record: item });
    for (const subscriber of this.#subscribers.values()) subscriber.add(category, item);
  }

  /** The init phase is over: its records are no longer kept for later subscribers. */
  endInit(): void {
    this.#backlog = null;
  }

  /** Delivers what every subscriber has queued (before the worker goes), within `ms`. */
  async drain(ms: number): Promise<void> {
    const all = Promise.all([...this.#subscribers.values()].map((subscriber) => subscriber.drain()));
    await Promise.race([all, Bun.sleep(ms)]);
  }

  /** Stops every subscriber. */
  close(): void {
    for (const subscriber of this.#subscribers.values()) subscriber.close();
    this.#subscribers.clear();
    this.#backlog = null;
  }
}
