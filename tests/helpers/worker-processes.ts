/** @module Finds a test's worker processes on the host (by a marker in their environment) and waits for them to end. */
import { readdirSync, readFileSync } from "node:fs";

/** The pids of the live processes whose environment holds `marker` (read as root, or as their user). */
export function processesWithEnv(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, "latin1").includes(marker)) pids.push(Number(name));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids.filter(isRunning);
}

/** Whether `pid` is a live process (a zombie is not: it only waits for its parent to read its status). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Resolves with the ms it took until none of `pids` runs; rejects with the survivors after `timeoutMs`. */
export async function allGone(pids: readonly number[], timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (true) {
    const alive = pids.filter(isRunning);
    if (!alive.length) return performance.now() - started;
    if (performance.now() - started > timeoutMs) {
      throw new Error(`Still running after ${timeoutMs} ms: ${alive.join(", ")}`);
    }
    await Bun.sleep(20);
  }
}

/** Kills whatever still runs of `pids` (a test's clean-up after a failure). */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}
