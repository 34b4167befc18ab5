/**
 * @module One watch per group on the hub's desired-state bucket (`group.<group>.*`): each entry is opened (its
 * signature checked against the device's public keys) and parsed before it counts; a refused one is reported and
 * the group keeps what it had. A watch that fails or ends (the bucket not created yet) starts again after a backoff.
 */
import type { KeyObject } from "node:crypto";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection, QueuedIterator } from "@nats-io/transport-node";
import { Backoff } from "../mqtt/mod.ts";
import { DesiredPayloadError, documentDigest, parseDesiredPayload } from "./desired-document.ts";
import { openEnvelope } from "./envelope.ts";
import { DESIRED_BUCKET, type DesiredKind, groupKeys, parseDesiredKey } from "./names.ts";
import type { AcceptedPayload } from "./selection.ts";

/** What a key's entry comes to. */
export type DesiredEvent =
  | {
    type: "accepted";
    group: string;
    kind: DesiredKind;
    revision: number;
    envelope: Uint8Array;
    accepted: AcceptedPayload;
  }
  | {
    type: "refused";
    group: string;
    kind: DesiredKind;
    revision: number;
    reason: string;
    keyId: string | null;
  }
  | { type: "cleared"; group: string; kind: DesiredKind; revision: number };

/**
 * What a deleted key comes to. A deletion carries no signature: where documents must be signed, a deleted stable
 * document is refused (the device keeps what it runs; a group is left by a signed document without functions),
 * while a deleted rollout only sends the device back to its signed stable document.
 */
function clearing(
  where: { group: string; kind: DesiredKind; revision: number },
  signed: boolean,
): DesiredEvent {
  if (signed && where.kind === "stable") {
    return {
      type: "refused",
      ...where,
      reason:
        "the stable document was deleted, and a deletion is not signed: write a signed document instead",
      keyId: null,
    };
  }
  return { type: "cleared", ...where };
}

/** Opens and parses the envelope of `group.<group>.<kind>`: the accepted payload, or why it is refused. */
export function openDesired(
  bytes: Uint8Array,
  where: { group: string; kind: DesiredKind; revision: number },
  publicKeys: readonly KeyObject[],
): DesiredEvent {
  const opened = openEnvelope(bytes, publicKeys);
  if (!opened.ok) return { type: "refused", ...where, reason: opened.reason, keyId: opened.keyId };
  try {
    const payload = parseDesiredPayload(opened.payload, where.group, where.kind);
    return {
      type: "accepted",
      ...where,
      envelope: bytes,
      accepted: { revision: where.revision, payload, digest: documentDigest(payload.rawDocument) },
    };
  } catch (error) {
    if (!(error instanceof DesiredPayloadError)) throw error;
    return { type: "refused", ...where, reason: error.message, keyId: opened.keyId };
  }
}

/** Options of {@linkcode DesiredWatcher}. */
export interface DesiredWatcherOptions {
  /** The groups to watch. */
  groups: readonly string[];
  /** The deployer's public keys (none: signatures are not checked). */
  publicKeys: readonly KeyObject[];
  /** Told of each entry, with how many more of the watch's initial values are still to come. */
  onEvent(event: DesiredEvent, pending: number): void;
  /** Lines for the agent's log. */
  warn(line: string): void;
  /** The first wait before a watch starts again, in ms. @default 1000 */
  minRetryMs?: number;
  /** The longest wait, in ms. @default 30000 */
  maxRetryMs?: number;
}

/** Watches each group's keys until stopped. */
export class DesiredWatcher {
  readonly #nc: NatsConnection;
  readonly #options: DesiredWatcherOptions;
  readonly #watches = new Set<QueuedIterator<unknown>>();
  readonly #timers = new Set<{ timer: ReturnType<typeof setTimeout>; resolve(): void }>();
  readonly #loops: Promise<void>[] = [];
  #stopped = false;

  constructor(nc: NatsConnection, options: DesiredWatcherOptions) {
    this.#nc = nc;
    this.#options = options;
  }

  /** Starts one watch loop per group. */
  start(): void {
    for (const group of this.#options.groups) this.#loops.push(this.#watchGroup(group));
  }

  /** Stops every watch and pending retry. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const watch of this.#watches) watch.stop();
    for (const { timer, resolve } of this.#timers) {
      clearTimeout(timer);
      resolve();
    }
    await Promise.all(this.#loops);
  }

  async #watchGroup(group: string): Promise<void> {
    const backoff = new Backoff(this.#options.minRetryMs ?? 1000, this.#options.maxRetryMs ?? 30_000);
    let lastProblem = "";
    while (!this.#stopped) {
      let problem = "the watch ended";
      try {
        const kv = await new Kvm(this.#nc).open(DESIRED_BUCKET);
        const watch = await kv.watch({ key: groupKeys(group) });
        if (this.#stopped) {
          watch.stop();
          break;
        }
        this.#watches.add(watch);
        if (lastProblem) this.#options.warn(`lambdalet: fleet: watching group ${group}`);
        lastProblem = "";
        try {
          for await (const entry of watch) {
            backoff.reset();
            const key = parseDesiredKey(entry.key);
            if (!key || key.group !== group) continue;
            const where = { group, kind: key.kind, revision: entry.revision };
            const event: DesiredEvent = entry.operation === "PUT"
              ? openDesired(entry.value, where, this.#options.publicKeys)
              : clearing(where, this.#options.publicKeys.length > 0);
            this.#options.onEvent(event, entry.delta ?? 0);
          }
        } finally {
          this.#watches.delete(watch);
        }
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      if (this.#stopped) break;
      if (problem !== lastProblem) {
        this.#options.warn(`lambdalet: fleet: cannot watch group ${group} (${problem}): trying again`);
        lastProblem = problem;
      }
      await this.#sleep(backoff.next());
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.#timers.add(entry);
    });
  }
}
