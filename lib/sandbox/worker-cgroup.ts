/** @module What a worker's cgroup offers the sandbox, whichever cgroup version made it. */

/** Limits of one worker's cgroup. */
export interface CgroupLimits {
  /** Memory limit in bytes, or undefined for none. */
  memoryBytes?: number;
  /** Maximum number of processes, or undefined for none. */
  pids?: number;
}

/** One worker's cgroup (one directory per hierarchy it uses). */
export interface WorkerCgroup {
  /** The `cgroup.procs` files a process writes its pid to, to join. */
  readonly procsFiles: string[];
  /** Kills every process in the cgroup. */
  kill(): void;
  /** Peak memory use in bytes, when the kernel reports it. */
  peakBytes(): number | null;
  /** How many processes of this cgroup the kernel's OOM killer has killed. */
  oomKills(): number;
  /** Removes the cgroup once its processes are gone (best effort). */
  remove(): void;
  /** Whether the cgroup's folders still exist. */
  exists(): boolean;
}

/** Makes worker cgroups under the agent's own cgroup. */
export interface CgroupDriver {
  /** `v2` or `v1`. */
  readonly version: "v2" | "v1";
  /** Whether it can limit memory. */
  readonly limitsMemory: boolean;
  /** The folders holding this agent's worker cgroups, one per hierarchy (a start-up sweep empties them). */
  readonly parents: string[];
  /** Makes a cgroup for worker `id`. */
  create(id: string, limits: CgroupLimits): WorkerCgroup;
}
