/** @module The data dir's part of a start: take its lock, then delete what an interrupted run left half written. */
import { type DataDirLock, lockDataDir } from "./data-dir-lock.ts";
import { sweepTempLeftovers } from "./temp-leftovers.ts";

/** How many paths a log line names before it counts the rest. */
const NAMED = 5;

/** Names the first few of `items`, then how many more. */
export function listSome(items: readonly string[]): string {
  const more = items.length - NAMED;
  return items.slice(0, NAMED).join(", ") + (more > 0 ? ` and ${more} more` : "");
}

/**
 * Locks `dataDir` for this agent (throws `DataDirInUseError` when another running agent holds it), then removes the
 * `*.tmp-*` files and folders a crash left there, saying so through `warn`.
 */
export function claimDataDir(dataDir: string, warn: (line: string) => void = console.warn): DataDirLock {
  const lock = lockDataDir(dataDir);
  const { removed, failed } = sweepTempLeftovers(dataDir);
  if (removed.length) {
    warn(`lambdalet: removed what an interrupted run left half written: ${listSome(removed)}`);
  }
  if (failed.length) warn(`lambdalet: could not remove what an interrupted run left: ${listSome(failed)}`);
  return lock;
}
