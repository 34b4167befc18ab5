/** @module cgroup v1 worker cgroups: the memory hierarchy (limit, swap, peak, OOM) and pids when mounted. */
import { existsSync, mkdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { killAll, readKey, readNumber, writeControl, writeControlIfPresent } from "./cgroup-files.ts";
import type { CgroupDriver, CgroupLimits, WorkerCgroup } from "./worker-cgroup.ts";

/** Makes worker cgroups under `<agent cgroup>/<parent>/` (`lambdalet` unless told) in the v1 memory (and pids) hierarchies. */
export class CgroupV1Driver implements CgroupDriver {
  readonly version = "v1";
  readonly limitsMemory = true;
  readonly #memory: string;
  readonly #pids: string | undefined;

  constructor(memoryDir: string, pidsDir: string | undefined, parent = "lambdalet") {
    this.#memory = join(memoryDir, parent);
    this.#pids = pidsDir === undefined ? undefined : join(pidsDir, parent);
    mkdirSync(this.#memory, { recursive: true });
    if (this.#pids) mkdirSync(this.#pids, { recursive: true });
  }

  get parents(): string[] {
    return this.#pids ? [this.#memory, this.#pids] : [this.#memory];
  }

  create(id: string, limits: CgroupLimits): WorkerCgroup {
    const memory = join(this.#memory, id);
    mkdirSync(memory);
    const dirs = [memory];
    if (limits.memoryBytes !== undefined) {
      writeControl(memory, "memory.limit_in_bytes", String(limits.memoryBytes));
      // no swap: the memory+swap limit equals the memory limit, where swap accounting exists
      writeControlIfPresent(memory, "memory.memsw.limit_in_bytes", String(limits.memoryBytes));
    }
    if (this.#pids && limits.pids !== undefined) {
      const pids = join(this.#pids, id);
      mkdirSync(pids);
      writeControl(pids, "pids.max", String(limits.pids));
      dirs.push(pids);
    }
    return {
      procsFiles: dirs.map((dir) => join(dir, "cgroup.procs")),
      kill: () => dirs.forEach(killAll),
      peakBytes: () => readNumber(memory, "memory.max_usage_in_bytes"),
      oomKills: () =>
        existsSync(join(memory, "memory.oom_control"))
          ? readKey(memory, "memory.oom_control", "oom_kill")
          : Math.min(readNumber(memory, "memory.failcnt") ?? 0, 1),
      exists: () => dirs.some((dir) => existsSync(dir)),
      remove() {
        for (const dir of dirs) {
          try {
            rmdirSync(dir);
          } catch {
            // still busy or already gone
          }
        }
      },
    };
  }
}
