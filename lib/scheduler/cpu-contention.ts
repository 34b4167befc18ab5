/**
 * @module Whether a pool's workers wait for a CPU: the time their processes spent runnable but not running (the
 * kernel's run-queue wait in /proc/<pid>/schedstat). Workers that queue for the cores gain nothing from one more
 * worker, which would queue too; workers that wait for I/O (timers, the network) do.
 */
import { readFileSync } from "node:fs";

/** The shortest interval measured: closer looks answer with the last measure. */
const MIN_INTERVAL_MS = 100;
/** A baseline older than this measures nothing recent: the next look takes a new one. */
const MAX_INTERVAL_MS = 2_000;
/**
 * The share of the interval a worker waited for a CPU, on average, from which the pool counts as contended: workers
 * that wait for I/O measure 0-2%, quick handlers on busy cores 18-60% (2 cores, 4 to 10 workers).
 */
export const CONTENDED_WAIT_SHARE = 0.1;

/** Nanoseconds process `pid` has spent runnable on a run queue, waiting for a CPU; null when it cannot be read. */
export function runQueueWaitNs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/schedstat`, "latin1").split(" ");
    const waited = Number(fields[1]);
    return Number.isFinite(waited) ? waited : null;
  } catch {
    return null;
  }
}

/** One worker's processes, as the pool knows them. */
export type WorkerPids = Iterable<number>;

/** Measures, look after look, how much a pool's workers waited for a CPU. */
export class CpuContention {
  readonly #read: (pid: number) => number | null;
  /** Each process's wait at the last baseline. */
  #waits = new Map<number, number>();
  #at = -Infinity;
  #contended: boolean | null = null;

  /** `read` reads a process's run-queue wait (tests give their own). */
  constructor(read: (pid: number) => number | null = runQueueWaitNs) {
    this.#read = read;
  }

  /**
   * Whether the workers waited for a CPU at least {@linkcode CONTENDED_WAIT_SHARE} of the time since the last look
   * (on average over the workers that were there both times); null when that is not known (no recent look, or no
   * worker was there both times): this look is the baseline of the next. Looks closer than
   * {@linkcode MIN_INTERVAL_MS} apart answer as the last did.
   */
  contended(workers: readonly WorkerPids[], now: number = performance.now()): boolean | null {
    const elapsedMs = now - this.#at;
    if (elapsedMs < MIN_INTERVAL_MS) return this.#contended;
    const recent = elapsedMs <= MAX_INTERVAL_MS;
    const waits = new Map<number, number>();
    let waitedNs = 0;
    let measured = 0;
    for (const pids of workers) {
      let known = false;
      for (const pid of pids) {
        const wait = this.#read(pid);
        if (wait === null) continue;
        waits.set(pid, wait);
        const before = this.#waits.get(pid);
        if (before === undefined || wait < before) continue;
        waitedNs += wait - before;
        known = true;
      }
      if (known) measured++;
    }
    this.#waits = waits;
    this.#at = now;
    this.#contended = recent && measured > 0
      ? waitedNs / measured >= CONTENDED_WAIT_SHARE * elapsedMs * 1_000_000
      : null;
    return this.#contended;
  }
}
