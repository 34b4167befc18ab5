/** @module cgroup v2 worker cgroups: memory.max, memory.swap.max, pids.max, cgroup.kill, memory.peak. */
import { existsSync, mkdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import {
  killAll,
  procsOf,
  readControl,
  readKey,
  readNumber,
  writeControl,
  writeControlIfPresent,
} from "./cgroup-files.ts";
import type { CgroupDriver, CgroupLimits, WorkerCgroup } from "./worker-cgroup.ts";

/**
 * Makes worker cgroups under `<agent cgroup>/<parent>/` (`lambdalet` unless told). Respects the "no internal processes" rule of v2: when
 * the agent's own cgroup holds processes, they move to a leaf `<agent cgroup>/agent` before controllers are
 * enabled for children (what systemd's `Delegate=yes` expects).
 */
export class CgroupV2Driver implements CgroupDriver {
  readonly version = "v2";
  readonly limitsMemory: boolean;
  readonly #parent: string;
  readonly #controllers: string[];

  constructor(selfDir: string, controllers: string[], parent = "lambdalet") {
    const wanted = ["memory", "pids"].filter((controller) => controllers.includes(controller));
    this.#controllers = wanted;
    this.limitsMemory = wanted.includes("memory");
    this.#parent = join(selfDir, parent);
    if (!wanted.length) {
      mkdirSync(this.#parent, { recursive: true });
      return;
    }
    const enabled = (readControl(selfDir, "cgroup.subtree_control") ?? "").split(/\s+/);
    const missing = wanted.filter((controller) => !enabled.includes(controller));
    if (missing.length) {
      if (procsOf(selfDir).length) {
        const leaf = join(selfDir, "agent");
        mkdirSync(leaf, { recursive: true });
        for (const pid of procsOf(selfDir)) writeControl(leaf, "cgroup.procs", String(pid));
      }
      writeControl(
        selfDir,
        "cgroup.subtree_control",
        missing.map((controller) => `+${controller}`).join(" "),
      );
    }
    // each folder from the agent's cgroup down to the parent passes the controllers on
    let dir = selfDir;
    for (const part of parent.split("/").filter(Boolean)) {
      dir = join(dir, part);
      mkdirSync(dir, { recursive: true });
      writeControl(dir, "cgroup.subtree_control", wanted.map((controller) => `+${controller}`).join(" "));
    }
  }

  get parents(): string[] {
    return [this.#parent];
  }

  create(id: string, limits: CgroupLimits): WorkerCgroup {
    const dir = join(this.#parent, id);
    mkdirSync(dir);
    if (limits.memoryBytes !== undefined) {
      writeControl(dir, "memory.max", String(limits.memoryBytes));
      writeControlIfPresent(dir, "memory.swap.max", "0");
    }
    if (limits.pids !== undefined && this.#controllers.includes("pids")) {
      writeControl(dir, "pids.max", String(limits.pids));
    }
    return {
      procsFiles: [join(dir, "cgroup.procs")],
      kill() {
        if (existsSync(join(dir, "cgroup.kill"))) {
          try {
            writeControl(dir, "cgroup.kill", "1");
          } catch {
            // fall back to killing one by one
          }
        }
        killAll(dir);
      },
      peakBytes: () => readNumber(dir, "memory.peak"),
      oomKills: () => readKey(dir, "memory.events", "oom_kill"),
      exists: () => existsSync(dir),
      remove() {
        try {
          rmdirSync(dir);
        } catch {
          // still busy or already gone
        }
      },
    };
  }
}
