/** @module Small helpers for reading and writing cgroup control files. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes `value` to a control file; throws an Error naming the file on failure. */
export function writeControl(dir: string, file: string, value: string): void {
  try {
    writeFileSync(join(dir, file), value);
  } catch (error) {
    throw new Error(
      `Cannot write '${value}' to ${join(dir, file)}: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** Writes `value` to a control file when the kernel offers it. */
export function writeControlIfPresent(dir: string, file: string, value: string): void {
  if (existsSync(join(dir, file))) writeControl(dir, file, value);
}

/** Reads a control file as text, or null. */
export function readControl(dir: string, file: string): string | null {
  try {
    return readFileSync(join(dir, file), "utf8");
  } catch {
    return null;
  }
}

/** Reads a control file holding one number, or null. */
export function readNumber(dir: string, file: string): number | null {
  const text = readControl(dir, file)?.trim();
  return text && /^\d+$/.test(text) ? Number(text) : null;
}

/** Reads `key N` from a flat-keyed control file (`memory.events`, `memory.oom_control`), or 0. */
export function readKey(dir: string, file: string, key: string): number {
  const match = new RegExp(`^${key} (\\d+)$`, "m").exec(readControl(dir, file) ?? "");
  return match ? Number(match[1]) : 0;
}

/** The pids listed in a cgroup's `cgroup.procs`. */
export function procsOf(dir: string): number[] {
  return (readControl(dir, "cgroup.procs") ?? "").split("\n").filter(Boolean).map(Number);
}

/** Sends SIGKILL to every process of a cgroup until none is left (a few rounds, for forks in flight). */
export function killAll(dir: string): void {
  for (let round = 0; round < 10; round++) {
    const pids = procsOf(dir);
    if (!pids.length) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}
