/**
 * @module The agent-wide admission of new workers: a memory budget shared by every pool, and a cap on workers
 * starting at once (cold starts are CPU-heavy: past the cores they only slow each other down).
 */
import { readFileSync } from "node:fs";
import { availableParallelism, freemem } from "node:os";
import { RUNTIME_FAMILIES } from "../config/mod.ts";
import { cgroupMemoryRoomBytes } from "../sandbox/mod.ts";

const MIB = 1024 * 1024;

/** Settings of {@linkcode Admission}. */
export interface AdmissionOptions {
  /** Bytes all workers together may be expected to use. @default 75% of MemAvailable when the agent starts */
  memoryBudgetBytes?: number;
  /** Workers that may be starting at once, per core. @default 1 */
  startsPerCore?: number;
  /** Cores of the host. @default os.availableParallelism() */
  cores?: number;
}

/** What a pool offers the admission: room, when another pool needs it. */
export interface AdmissionClient {
  /** When the pool's longest-idle worker went idle (ms since the epoch), or null when none is idle. */
  idleSince(): number | null;
  /** Stops the pool's longest-idle worker to make room for another pool's start; returns whether it did. */
  evictIdle(): boolean;
  /** Room may have freed up (a start ended, a worker went): queued invocations may start a worker now. */
  roomFreed(): void;
}

/** One admitted worker: its start slot (until it has started) and its share of the memory budget (until it goes). */
export interface Admitted {
  /** The worker has started (or failed to): its start slot frees up. Idempotent. */
  started(): void;
  /** The worker has gone: its memory frees up (and its start slot, if still held). Idempotent. */
  release(): void;
}

/** What {@linkcode Admission.status} reports. */
export interface AdmissionStatus {
  /** The memory budget of all workers, in bytes. */
  budgetBytes: number;
  /** The memory the workers alive or starting are expected to use, in bytes. */
  committedBytes: number;
  /** Workers starting now. */
  starting: number;
  /** Workers that may be starting at once. */
  maxStarting: number;
  /** Idle workers stopped to make room for another function's start. */
  evictions: number;
}

/** What a worker of each runtime family is expected to use once warm (its RSS), before its function's own data. */
const EXPECTED_WORKER_BYTES: Record<string, number> = {
  nodejs: 48 * MIB,
  bun: 40 * MIB,
  python: 24 * MIB,
  java: 96 * MIB,
  provided: 16 * MIB,
};

/** The memory a worker of `runtime` with `memorySizeMb` is charged: what its runtime uses, never past its limit. */
export function expectedWorkerBytes(runtime: string, memorySizeMb: number): number {
  const family = RUNTIME_FAMILIES[runtime] ?? "provided";
  return Math.min(EXPECTED_WORKER_BYTES[family] ?? 32 * MIB, memorySizeMb * MIB);
}

/** `MemAvailable` of /proc/meminfo in bytes, or the free memory Node reports where that file is missing. */
export function memAvailableBytes(): number {
  try {
    const match = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync("/proc/meminfo", "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: below
  }
  return freemem();
}

/**
 * The default memory budget of workers: three quarters of what the host has available now, or of what the
 * agent's own memory cgroup leaves when that is less (a systemd `MemoryMax=`, a container's limit).
 */
export function defaultMemoryBudgetBytes(): number {
  const room = cgroupMemoryRoomBytes();
  return Math.floor(Math.min(memAvailableBytes(), room ?? Infinity) * 0.75);
}

/**
 * Admits new workers against an agent-wide memory budget and a cap on workers starting at once. A pool asks
 * {@linkcode tryStart} before it starts a worker; when the budget is spent, idle workers of other pools are stopped
 * (longest idle first) to make room, and otherwise the pool's invocations wait for its warm workers. Pinned and
 * provisioned workers are charged too ({@linkcode charge}) but never refused: they were asked for by name.
 */
export class Admission {
  readonly #budget: number;
  readonly #maxStarting: number;
  /** Cores of the host. */
  readonly cores: number;
  readonly #clients = new Set<AdmissionClient>();
  #committed = 0;
  #starting = 0;
  #evictions = 0;
  #notifying = false;

  constructor(options: AdmissionOptions = {}) {
    this.#budget = options.memoryBudgetBytes ?? defaultMemoryBudgetBytes();
    const cores = options.cores ?? availableParallelism();
    this.cores = cores;
    this.#maxStarting = Math.max(1, Math.round(cores * (options.startsPerCore ?? 1)));
  }

  /** Lets `client` be asked for room and told when room frees up; returns the unregistration. */
  register(client: AdmissionClient): () => void {
    this.#clients.add(client);
    return () => this.#clients.delete(client);
  }

  /**
   * Admits one worker of `bytes` for `client`: a start slot and its memory, making room by stopping other pools'
   * idle workers when the budget is spent. Null when it cannot start now (the caller waits for room).
   */
  tryStart(client: AdmissionClient, bytes: number): Admitted | null {
    if (this.#starting >= this.#maxStarting) return null;
    // the room an eviction frees is this start's: no pool is told of it meanwhile (it would take it first)
    const notifying = this.#notifying;
    this.#notifying = true;
    try {
      while (this.#committed + bytes > this.#budget) {
        if (!this.#evictOne(client)) return null;
      }
    } finally {
      this.#notifying = notifying;
    }
    this.#starting++;
    return this.#admitted(bytes, true);
  }

  /** Charges a worker that must start whatever the budget says (pinned, provisioned); no start slot is taken. */
  charge(bytes: number): Admitted {
    return this.#admitted(bytes, false);
  }

  /** Whether a worker of `bytes` would fit the budget once every idle worker of other pools were stopped. */
  fits(bytes: number): boolean {
    return this.#committed + bytes <= this.#budget;
  }

  /** The budget and what is spent of it. */
  status(): AdmissionStatus {
    return {
      budgetBytes: this.#budget,
      committedBytes: this.#committed,
      starting: this.#starting,
      maxStarting: this.#maxStarting,
      evictions: this.#evictions,
    };
  }

  #admitted(bytes: number, slot: boolean): Admitted {
    this.#committed += bytes;
    let starting = slot;
    let held = true;
    const started = () => {
      if (!starting) return;
      starting = false;
      this.#starting--;
      this.#notify();
    };
    return {
      started,
      release: () => {
        if (starting) {
          starting = false;
          this.#starting--;
        }
        if (!held) return;
        held = false;
        this.#committed -= bytes;
        this.#notify();
      },
    };
  }

  /** Stops the longest-idle worker of a pool other than `requester`; false when none is idle. */
  #evictOne(requester: AdmissionClient): boolean {
    let oldest: AdmissionClient | null = null;
    let oldestSince = Infinity;
    for (const client of this.#clients) {
      if (client === requester) continue;
      const since = client.idleSince();
      if (since !== null && since < oldestSince) {
        oldest = client;
        oldestSince = since;
      }
    }
    if (!oldest?.evictIdle()) return false;
    this.#evictions++;
    return true;
  }

  /** Tells every pool that room has freed up, once at a time (a pool that starts a worker may free more). */
  #notify(): void {
    if (this.#notifying) return;
    this.#notifying = true;
    try {
      for (const client of [...this.#clients]) client.roomFreed();
    } finally {
      this.#notifying = false;
    }
  }
}
