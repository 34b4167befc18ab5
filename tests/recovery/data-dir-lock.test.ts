/** @module One agent per data dir: the lock file, held, refused and taken over. */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DataDirInUseError, LOCK_FILE, lockDataDir } from "../../lib/recovery/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

/** The lock record of a process as the agent writes it. */
function recordOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const startTicks = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  return JSON.stringify({ pid, startTicks, bootId });
}

describe("lockDataDir()", () => {
  test("lockDataDir() writes this process into the lock and removes it on release", () => {
    const dir = tempDir("lambdalet-lock-");
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  test("lockDataDir() refuses a data dir whose lock names a process that still runs", async () => {
    const dir = tempDir("lambdalet-lock-");
    const other = Bun.spawn({ cmd: ["sleep", "30"] });
    try {
      writeFileSync(join(dir, LOCK_FILE), recordOf(other.pid));
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir)).toThrow(`another lambdalet (pid ${other.pid}) uses the data dir ${dir}`);
    } finally {
      other.kill("SIGKILL");
      await other.exited;
    }
  });

  test("lockDataDir() takes over a lock whose process is gone, or whose pid now belongs to another process", async () => {
    const dir = tempDir("lambdalet-lock-");
    const gone = Bun.spawn({ cmd: ["sleep", "30"] });
    const record = recordOf(gone.pid);
    gone.kill("SIGKILL");
    await gone.exited;
    writeFileSync(join(dir, LOCK_FILE), record);
    lockDataDir(dir).release();
    const reused = JSON.stringify({ ...JSON.parse(recordOf(process.ppid)), startTicks: "1" });
    writeFileSync(join(dir, LOCK_FILE), reused);
    lockDataDir(dir).release();
    writeFileSync(join(dir, LOCK_FILE), "half written");
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(lock.path, "utf8")).pid).toBe(process.pid);
  });
});
