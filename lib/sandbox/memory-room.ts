/**
 * @module How much memory this process's own memory cgroup (and its ancestors) leaves: an agent run under a
 * systemd `MemoryMax=` or inside a container sees the host's MemAvailable, not its own limit.
 */
import { dirname, join } from "node:path";
import { type CgroupLayout, detectCgroupLayout, type ReadText, readText } from "./cgroup-layout.ts";

/** A cgroup v1 memory limit this large means none (the kernel's "unlimited", rounded to pages). */
const V1_UNLIMITED = 2 ** 62;

/**
 * The bytes this process's memory cgroups leave before their tightest limit (the limit less what is used, at
 * each level up to the hierarchy's root), or null when no level has a limit or no memory controller is mounted.
 */
export function cgroupMemoryRoomBytes(
  layout: CgroupLayout = detectCgroupLayout(),
  read: ReadText = readText,
): number | null {
  const v2 = layout.v2?.controllers.includes("memory") ? layout.v2.dir : undefined;
  const start = v2 ?? layout.v1.memory;
  if (!start) return null;
  const [limitFile, usageFile] = v2
    ? ["memory.max", "memory.current"]
    : ["memory.limit_in_bytes", "memory.usage_in_bytes"];
  let room: number | null = null;
  for (let dir = start;; dir = dirname(dir)) {
    const limitText = read(join(dir, limitFile))?.trim();
    if (limitText === undefined) break; // past the hierarchy's root
    const limit = Number(limitText);
    const usage = Number(read(join(dir, usageFile))?.trim() ?? "0");
    if (limitText !== "max" && Number.isFinite(limit) && limit < V1_UNLIMITED) {
      const left = Math.max(0, limit - (Number.isFinite(usage) ? usage : 0));
      room = room === null ? left : Math.min(room, left);
    }
    if (dirname(dir) === dir) break;
  }
  return room;
}
