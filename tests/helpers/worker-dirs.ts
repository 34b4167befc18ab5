/** @module Temporary folders that workers write to, whichever uid their function runs as. */
import { chmodSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Where those folders go: not under /tmp, which a NoContainer worker sees as a private tmpfs of its own when the
 * agent is root (so it would never see the folder), but under /var/tmp where the host has one.
 */
export const WORKER_DIRS_BASE: string = existsSync("/var/tmp") ? "/var/tmp" : tmpdir();

/**
 * Makes a new temporary folder every worker can write to: mode 1777, as /tmp (each function runs as a uid of its
 * own, so a root-owned 0755 folder would refuse them; the sticky bit keeps them from removing each other's files).
 */
export function workerWritableDir(prefix = "lambdalet-work-"): string {
  const dir = mkdtempSync(join(WORKER_DIRS_BASE, prefix));
  chmodSync(dir, 0o1777);
  return dir;
}
