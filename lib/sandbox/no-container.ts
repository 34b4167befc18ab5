/** @module NoContainer mode: the worker is a plain child process leading its own process group. */
import { readFileSync } from "node:fs";
import type { ExitStatus, SpawnSpec, WorkerProcess } from "./worker-process.ts";

/** Starts a worker as a plain process in a new session, so that killing its group kills its children too. */
export function spawnNoContainer(spec: SpawnSpec): WorkerProcess {
  const proc = Bun.spawn({
    cmd: spec.cmd,
    env: spec.env,
    cwd: spec.cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
  });
  const exited: Promise<ExitStatus> = proc.exited.then(() => ({
    code: proc.signalCode === null ? proc.exitCode : null,
    signal: proc.signalCode === null ? null : String(proc.signalCode),
  }));
  return {
    pid: proc.pid,
    exited,
    stdout: proc.stdout,
    stderr: proc.stderr,
    kill() {
      try {
        process.kill(-proc.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
      proc.kill("SIGKILL");
    },
    peakMemoryBytes: () => peakResidentBytes(proc.pid),
  };
}

/** The peak resident set size of a process (`VmHWM` in /proc), in bytes; null once it is gone. */
export function peakResidentBytes(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
