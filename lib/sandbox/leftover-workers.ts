/** @module The start-up sweep of workers: kills what a previous run left in its worker cgroups, then removes them. */
import { createHash } from "node:crypto";
import {
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  statfsSync,
  writeFileSync,
} from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import { procsOf, writeControlIfPresent } from "./cgroup-files.ts";
import type { CgroupDriver } from "./worker-cgroup.ts";

/** The file, in the data dir, naming the cgroup folders that held the last run's workers. */
export const WORKER_CGROUPS_FILE = "worker-cgroups.json";

/** Filesystem magic numbers of cgroupfs (v1) and cgroup2fs. */
const CGROUP_FS_TYPES = new Set([0x27e0eb, 0x63677270]);

/**
 * The folder, under the agent's own cgroup, holding the worker cgroups of the agent of `dataDir`:
 * `lambdalet/<first 12 hex digits of the SHA-256 of its real path>`. One per data dir, so that the start-up sweep
 * finds its own leftovers and never the workers of another agent on the same host.
 */
export function workerCgroupParent(dataDir: string): string {
  return `lambdalet/${createHash("sha256").update(realpathSync(dataDir)).digest("hex").slice(0, 12)}`;
}

/** What a sweep found. */
export interface SweepReport {
  /** Worker processes killed. */
  killed: number;
  /** Worker cgroups removed. */
  removed: number;
  /** Cgroups that still had processes when the time was up (left in place). */
  busy: string[];
}

/** Options of {@linkcode sweepLeftoverWorkers}. */
export interface SweepOptions {
  /** How long to wait for killed processes to be gone, in ms. @default 5000 */
  timeoutMs?: number;
}

/**
 * Kills every process in the worker cgroups under the driver's parents and under those the last run recorded in
 * `<dataDir>/worker-cgroups.json` (the agent's own cgroup may have changed since, as from a shell to systemd), waits
 * until they are gone, removes the cgroups, then records the current parents. Processes are found by cgroup only,
 * never by name. Run once at start, before any worker of this run exists.
 */
export function sweepLeftoverWorkers(
  dataDir: string,
  driver: CgroupDriver,
  options: SweepOptions = {},
): SweepReport {
  const record = join(dataDir, WORKER_CGROUPS_FILE);
  const own = basename(workerCgroupParent(dataDir));
  const previous = readRecord(record).filter((dir) => isWorkerParent(dir, own));
  const parents = [...new Set([...driver.parents, ...previous])];
  const report = sweepParents(parents, options.timeoutMs ?? 5000);
  for (const dir of previous.filter((dir) => !driver.parents.includes(dir))) {
    try {
      rmdirSync(dir);
    } catch {
      // still holds a busy worker cgroup
    }
  }
  const temp = `${record}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(driver.parents)}\n`, { mode: 0o600 });
  renameSync(temp, record);
  return report;
}

/** Kills, waits for, then removes every worker cgroup under `parents`. */
function sweepParents(parents: string[], timeoutMs: number): SweepReport {
  const cgroups = parents.flatMap(subfolders);
  const seen = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  let left = cgroups;
  while (left.length) {
    for (const dir of left) killCgroup(dir, seen);
    left = left.filter((dir) => procsOf(dir).length > 0);
    if (!left.length || Date.now() > deadline) break;
    Bun.sleepSync(10);
  }
  let removed = 0;
  for (const dir of cgroups) {
    if (left.includes(dir)) continue;
    if (removeTree(dir)) removed++;
  }
  return { killed: seen.size, removed, busy: left };
}

/** Sends SIGKILL to every process of a cgroup (through `cgroup.kill` where v2 has it), counting them in `seen`. */
function killCgroup(dir: string, seen: Set<number>): void {
  const pids = procsOf(dir);
  if (!pids.length) return;
  for (const pid of pids) seen.add(pid);
  try {
    writeControlIfPresent(dir, "cgroup.kill", "1");
  } catch {
    // killed one by one below
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Removes a cgroup and any cgroups under it (a cgroup folder goes with rmdir once its processes are gone). */
function removeTree(dir: string): boolean {
  for (const child of subfolders(dir)) removeTree(child);
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/** The folders directly in `dir` (on cgroupfs: its child cgroups). */
function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) =>
      join(dir, entry.name)
    );
  } catch {
    return [];
  }
}

/** The folders a previous run recorded, or none. */
function readRecord(file: string): string[] {
  try {
    const value: unknown = JSON.parse(readFileSync(file, "utf8"));
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return [];
  }
}

/** Whether `dir` can be this agent's worker parent: an absolute folder named `own` on a cgroup filesystem. */
function isWorkerParent(dir: string, own: string): boolean {
  if (!isAbsolute(dir) || basename(dir) !== own) return false;
  try {
    return CGROUP_FS_TYPES.has(Number(statfsSync(dir).type));
  } catch {
    return false;
  }
}
