/** @module NoContainer mode: the worker is a plain child process leading its own process group (and cgroup). */
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
import { startDetached } from "./detached-process.ts";
import type { SpawnSpec, WorkerProcess } from "./worker-process.ts";

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
  return startDetached({ cmd, env: spec.env, cwd: spec.cwd }, cgroup);
}
