/** @module Starts a worker's leading process detached (its own session and group), for both container modes. */
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { WorkerCgroup } from "./worker-cgroup.ts";
import type { ExitStatus, SpawnSpec, WorkerProcess } from "./worker-process.ts";

/**
 * Starts `spec` in a new session with piped output. On exit, the cgroup's OOM counter and peak are read before the
 * cgroup is killed and removed; `memoryLimited` says whether the cgroup has a memory limit. Killing the worker kills its cgroup, its process group and its leader.
 */
export function startDetached(
  spec: SpawnSpec,
  cgroup: WorkerCgroup | undefined,
  memoryLimited = false,
): WorkerProcess {
  const proc = Bun.spawn({
    cmd: spec.cmd,
    env: spec.env,
    cwd: spec.cwd,
    stdin: spec.stdin ?? "ignore",
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
  });
  // The leader's own script joins the cgroup before it execs the worker; the agent moves it too, from a thread of the
  // pool (the event loop does not wait): a move waits for the kernel's RCU grace period, and this one starts it now,
  // so that the script's, moments later, finds it passed. (Until it is reaped, a child's pid names no other process.)
  for (const file of cgroup?.procsFiles ?? []) void writeFile(file, String(proc.pid)).catch(() => {});
  let oomKills = 0;
  let peak: number | null = null;
  let peakRead: { at: number; bytes: number | null } | null = null;
  let gone = false;
  const exited: Promise<ExitStatus> = proc.exited.then(() => {
    gone = true;
    oomKills = cgroup?.oomKills() ?? 0;
    peak = cgroup?.peakBytes() ?? null;
    cgroup?.kill();
    if (cgroup) removeWhenEmpty(cgroup);
    // a leader that cannot re-raise the signal that killed its child (unshare exits 1): an OOM kill is a SIGKILL
    if (oomKills > 0) return { code: null, signal: "SIGKILL" };
    return {
      code: proc.signalCode === null ? proc.exitCode : null,
      signal: proc.signalCode === null ? null : String(proc.signalCode),
    };
  });
  return {
    pid: proc.pid,
    exited,
    stdout: proc.stdout,
    stderr: proc.stderr,
    stdin: spec.stdin === "pipe" ? pipeWriter(proc.stdin as Bun.FileSink) : null,
    kill() {
      cgroup?.kill();
      if (gone) return; // its pid (and group id) may already belong to another process
      try {
        process.kill(-proc.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
      proc.kill("SIGKILL");
    },
    peakMemoryBytes(maxAgeMs = 0) {
      const now = performance.now();
      if (peakRead && now - peakRead.at <= maxAgeMs) return peakRead.bytes;
      peakRead = { at: now, bytes: cgroup ? cgroup.peakBytes() ?? peak : peakResidentBytes(proc.pid) };
      return peakRead.bytes;
    },
    // only a memory limit makes OOM kills (and the file read is on every invocation's path)
    oomKills: () => (memoryLimited ? Math.max(oomKills, cgroup?.oomKills() ?? 0) : 0),
    *pids() {
      if (cgroup) yield* cgroupMembers(cgroup.procsFiles);
      if (!gone) yield* sessionMembers(proc.pid); // a dead leader's pid may lead someone else's session
    },
    workingPids: () => (cgroup ? cgroupMembers(cgroup.procsFiles) : gone ? [] : [proc.pid]),
  };
}

/** The writer of a piped stdin; writes after the process has gone are dropped. */
function pipeWriter(sink: Bun.FileSink): { write(text: string): void; end(): void } {
  return {
    write(text) {
      try {
        sink.write(text);
        void Promise.resolve(sink.flush()).catch(() => {});
      } catch {
        // the process is gone
      }
    },
    end() {
      try {
        void Promise.resolve(sink.end()).catch(() => {});
      } catch {
        // the process is gone
      }
    },
  };
}

/** The pids listed in a cgroup's `cgroup.procs` files (v1 lists the same processes in each hierarchy). */
function* cgroupMembers(procsFiles: string[]): Generator<number> {
  for (const file of procsFiles) {
    let text: string;
    try {
      text = readFileSync(file, "latin1");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) if (line) yield Number(line);
    return;
  }
}

/** The pids of the processes in session `sid`, from field 6 of each /proc/<pid>/stat. */
function* sessionMembers(sid: number): Generator<number> {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "latin1");
    } catch {
      continue; // gone
    }
    // after the command name in parentheses (which may hold anything): state ppid pgrp session
    if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ", 4)[3]) === sid) yield Number(name);
  }
}

/** Removes a killed cgroup once its processes are gone (the kernel refuses while any is still dying). */
function removeWhenEmpty(cgroup: WorkerCgroup, tries = 20): void {
  cgroup.remove();
  if (!cgroup.exists() || tries <= 0) return;
  setTimeout(() => removeWhenEmpty(cgroup, tries - 1), 50).unref?.();
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
