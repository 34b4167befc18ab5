/** @module Temporary folders that workers write to, whichever uid their function runs as. */
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Makes a new temporary folder every worker can write to: mode 1777, as /tmp (each function runs as a uid of its
 * own, so a root-owned 0755 folder would refuse them; the sticky bit keeps them from removing each other's files).
 */
export function workerWritableDir(prefix = "lambdalet-work-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o1777);
  return dir;
}
