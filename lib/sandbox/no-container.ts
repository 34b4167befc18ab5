/** @module NoContainer mode: the worker is a plain child process leading its own process group (and cgroup). */
import { readFileSync } from "node:fs";
import { joinCgroupsScript } from "./shell.ts";
import type { PosixUser } from "./posix-user.ts";
import type { WorkerCgroup } from "./worker-cgroup.ts";

/** Run the worker as another user, through util-linux `setpriv`, with no_new_privs. */
export interface PrivilegeDrop {
  /** The setpriv executable. */
  setpriv: string;
  /** The user and group to become. */
  user: PosixUser;
}
import type { ExitStatus, SpawnSpec, WorkerProcess } from "./worker-process.ts";

/**
 * Starts a worker as a plain process in a new session, so that killing its group kills its children too. With a
 * cgroup (no limits), the process joins it first so that even children that leave the group are killed with it.
 */
export function spawnNoContainer(
  spec: SpawnSpec,
  cgroup?: WorkerCgroup,
  drop?: PrivilegeDrop,
): WorkerProcess {
  const command = drop
    ? [
      drop.setpriv,
      `--reuid=${drop.user.uid}`,
      `--regid=${drop.user.gid}`,
      "--clear-groups",
      "--no-new-privs",
      "--",
      ...spec.cmd,
    ]
    : spec.cmd;
  const cmd = cgroup
    ? ["/bin/sh", "-c", `${joinCgroupsScript(cgroup.procsFiles)}\nexec "$@"`, "sh", ...command]
    : command;
  const proc = Bun.spawn({
    cmd,
    env: spec.env,
    cwd: spec.cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
  });
  const exited: Promise<ExitStatus> = proc.exited.then(() => {
    cgroup?.kill();
    cgroup?.remove();
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
    kill() {
      cgroup?.kill();
      try {
        process.kill(-proc.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
      proc.kill("SIGKILL");
    },
    peakMemoryBytes: () => cgroup?.peakBytes() ?? peakResidentBytes(proc.pid),
    oomKilled: () => false,
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
