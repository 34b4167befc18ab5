/** @module Removes extracted code folders: renamed out of their name at once, then deleted, read-only modes included. */
import { existsSync, renameSync } from "node:fs";
import { chmod, readdir, rm } from "node:fs/promises";
import { join } from "node:path";

/** What a folder being removed is renamed to end with (plus a UUID); start-up sweeps may delete any such folder. */
export const DISCARD_MARK = ".tmp-gc-";

/**
 * Renames `dir` to `<dir>.tmp-gc-<uuid>`, so that its code is gone under its own name in one atomic step, and returns
 * the new path for {@linkcode deleteFolder}; null when `dir` does not exist. A crash after this leaves a `*.tmp-gc-*`
 * folder that the next sweep deletes.
 */
export function discardFolder(dir: string): string | null {
  if (!existsSync(dir)) return null;
  const discarded = `${dir}${DISCARD_MARK}${crypto.randomUUID()}`;
  renameSync(dir, discarded);
  return discarded;
}

/** Deletes a folder tree whose folders may be read-only (extracted code is 0555): made writable first. */
export async function deleteFolder(dir: string): Promise<void> {
  await makeWritable(dir);
  await rm(dir, { recursive: true, force: true });
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const item of await readdir(dir, { withFileTypes: true })) {
    if (item.isDirectory()) await makeWritable(join(dir, item.name));
  }
}
