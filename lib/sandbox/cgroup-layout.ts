/** @module Finds where this process's cgroups are: the v2 hierarchy and the v1 controllers, from /proc. */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Where this process's cgroups live, by hierarchy. */
export interface CgroupLayout {
  /** The cgroup v2 directory of this process and the controllers available in it. */
  v2?: { dir: string; controllers: string[] };
  /** The cgroup v1 directory of this process for each mounted controller (`memory`, `pids`, ...). */
  v1: Record<string, string>;
}

/** Reads a file, or null when it cannot be read. */
export type ReadText = (path: string) => string | null;

/** Reads a file from the real filesystem, or null. */
export const readText: ReadText = (path) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
};

/**
 * Works out the cgroup directories of this process from the text of `/proc/self/mountinfo` and
 * `/proc/self/cgroup`, never assuming a mount layout (`/sys/fs/cgroup` or `/sys/fs/cgroup/unified` for v2, any
 * mount point for v1 controllers, cgroup namespaces whose mount root is not `/`).
 */
export function parseCgroupLayout(
  mountinfo: string,
  selfCgroup: string,
  read: ReadText = readText,
): CgroupLayout {
  const membership = new Map<string, string>();
  let v2Path: string | undefined;
  for (const line of selfCgroup.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    if (match[1] === "0" && match[2] === "") v2Path = match[3];
    for (const controller of match[2]!.split(",").filter(Boolean)) membership.set(controller, match[3]!);
  }
  const layout: CgroupLayout = { v1: {} };
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [fstype, , superOptions = ""] = right.split(" ");
    const mountRoot = fields[3] ?? "/";
    const mountPoint = unescapeMount(fields[4] ?? "");
    if (fstype === "cgroup2" && v2Path !== undefined && !layout.v2) {
      const dir = join(mountPoint, relative(mountRoot, v2Path));
      const controllers = (read(join(dir, "cgroup.controllers")) ?? "").trim().split(/\s+/).filter(Boolean);
      layout.v2 = { dir, controllers };
    }
    if (fstype === "cgroup") {
      for (const option of superOptions.split(",")) {
        const path = membership.get(option);
        if (path !== undefined && !(option in layout.v1)) {
          layout.v1[option] = join(mountPoint, relative(mountRoot, path));
        }
      }
    }
  }
  return layout;
}

/** The layout of this process, read from /proc. */
export function detectCgroupLayout(): CgroupLayout {
  return parseCgroupLayout(readText("/proc/self/mountinfo") ?? "", readText("/proc/self/cgroup") ?? "");
}

function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
