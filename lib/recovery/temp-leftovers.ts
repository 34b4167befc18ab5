/** @module Deletes the half-written files and folders (`*.tmp-*`) a crash left in the data dir, read-only ones too. */
import { chmodSync, type Dirent, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * What the agent names a file or folder while it writes it, before the rename that completes it:
 * `<name>.tmp-<pid>` (credentials, runtimes' bootstraps, records), `<sha256>.tmp-<pid>-<uuid>` (code being
 * extracted), `<sha256>.tmp-gc-<uuid>` (code being deleted).
 */
export const TEMP_NAME = /\.tmp-/;

/** Folders of the data dir holding trees that are not the agent's names (extracted code): only their entries are looked at. */
const ONE_LEVEL = new Set(["code"]);
/** Folders of the data dir never looked into (the containers' mount points). */
const SKIPPED = new Set(["container-root"]);

/** How deep the sweep looks into the data dir (`runtimes/nodejs/bootstrap.cjs.tmp-1` is at depth 3). */
const MAX_DEPTH = 4;

/** What a sweep removed and what it could not. */
export interface TempSweepReport {
  /** The removed paths, relative to the data dir. */
  removed: string[];
  /** Paths that could not be removed, with why. */
  failed: string[];
}

/**
 * Removes every `*.tmp-*` file or folder of the data dir, where the agent writes them: its top level, `code/` (the
 * extracted trees themselves are not looked into: a function's own files may have any name) and the folders below
 * (`runtimes/...`), making read-only folders writable first. Run once at start, before anything writes: a lock on
 * the data dir keeps a second agent from sweeping the temporaries of a running one.
 */
export function sweepTempLeftovers(dataDir: string): TempSweepReport {
  const report: TempSweepReport = { removed: [], failed: [] };
  const visit = (dir: string, depth: number, descend: boolean) => {
    for (const entry of entries(dir)) {
      const path = join(dir, entry.name);
      if (TEMP_NAME.test(entry.name)) {
        try {
          removeAll(path, entry);
          report.removed.push(relative(dataDir, path));
        } catch (error) {
          report.failed.push(`${relative(dataDir, path)}: ${error instanceof Error ? error.message : error}`);
        }
        continue;
      }
      if (!descend || !entry.isDirectory() || depth >= MAX_DEPTH || SKIPPED.has(entry.name)) continue;
      visit(path, depth + 1, !(depth === 1 && ONE_LEVEL.has(entry.name)));
    }
  };
  visit(dataDir, 1, true);
  return report;
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Removes a file, or a folder tree whose folders may be read-only (extracted code is 0555). */
function removeAll(path: string, entry: Dirent): void {
  if (entry.isDirectory()) makeWritable(path);
  rmSync(path, { recursive: true, force: true });
}

/** Gives the owner write access to every folder of a tree (symlinks are not followed). */
function makeWritable(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of entries(dir)) {
    if (entry.isDirectory()) makeWritable(join(dir, entry.name));
  }
}
