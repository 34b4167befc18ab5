/** @module One agent per data dir: a lock file naming the agent that holds it, taken over once that agent is gone. */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/** The lock file in the data dir. */
export const LOCK_FILE = "agent.lock";

/** Thrown when another agent, still running, uses the data dir. */
export class DataDirInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataDirInUseError";
  }
}

/** A held lock. */
export interface DataDirLock {
  /** The lock file. */
  readonly path: string;
  /** Gives the lock up (at a clean stop); a crash leaves the file, which the next start takes over. */
  release(): void;
}

/** Who holds the lock: a process, told apart from a later one with the same pid by its start time and boot. */
interface Owner {
  pid: number;
  startTicks: string;
  bootId: string;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The owner record of process `pid` as it runs now, or null when it is gone or a zombie. */
function ownerOf(pid: number): Owner | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return null;
  // after the command name in parentheses (which may hold anything): field 3 (state) onwards; starttime is 22
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return null;
  return {
    pid,
    startTicks: fields[19] ?? "",
    bootId: readText("/proc/sys/kernel/random/boot_id")?.trim() ?? "",
  };
}

function parseOwner(text: string | null): Owner | null {
  try {
    const value = JSON.parse(text ?? "") as Partial<Owner>;
    return typeof value.pid === "number" && typeof value.startTicks === "string" &&
        typeof value.bootId === "string"
      ? { pid: value.pid, startTicks: value.startTicks, bootId: value.bootId }
      : null;
  } catch {
    return null;
  }
}

/** Whether the process `owner` names still runs. */
function isRunning(owner: Owner): boolean {
  const now = ownerOf(owner.pid);
  return now !== null && now.startTicks === owner.startTicks && now.bootId === owner.bootId;
}

/**
 * Takes the lock of `dataDir` for this process; throws {@linkcode DataDirInUseError} when another agent that still
 * runs holds it. A lock left by a process that is gone (a crash, a `kill -9`, a reboot) is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  const self = ownerOf(process.pid)!;
  const text = JSON.stringify(self);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      try {
        writeSync(fd, `${text}\n`);
      } finally {
        closeSync(fd);
      }
      return {
        path,
        release() {
          if (readText(path)?.trim() !== text) return;
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let owner = parseOwner(readText(path));
    if (!owner) {
      Bun.sleepSync(50); // another agent may be between creating the file and writing it
      owner = parseOwner(readText(path));
    }
    if (owner && owner.pid !== process.pid && isRunning(owner)) {
      throw new DataDirInUseError(
        `Cannot start the agent as another lambdalet (pid ${owner.pid}) uses the data dir ${dataDir}: stop it first, or pass another --data-dir`,
      );
    }
    try {
      unlinkSync(path); // its owner is gone
    } catch {
      // another start took it over first: try again
    }
  }
  throw new DataDirInUseError(`Cannot take the lock ${path}: it keeps changing hands`);
}
