/** @module NoContainer mode: the worker is a plain child process leading its own process group (and cgroup). */
import { startDetached } from "./detached-process.ts";
import { type PrivilegeDrop, setprivCommand } from "./privilege-drop.ts";
import { joinCgroupsScript } from "./shell.ts";
import type { WorkerCgroup } from "./worker-cgroup.ts";
import type { SpawnSpec, WorkerProcess } from "./worker-process.ts";

/**
 * Starts a worker as a plain process in a new session, so that killing its group kills its children too. With a
 * cgroup (no limits), the process joins it first so that even children that leave the group are killed with it.
 * With `drop` (the agent is root) it runs as that user with no capabilities and no_new_privs; without, as the
 * agent's own user.
 */
export function spawnNoContainer(
  spec: SpawnSpec,
  cgroup?: WorkerCgroup,
  drop?: PrivilegeDrop,
): WorkerProcess {
  const command = drop ? [...setprivCommand(drop), ...spec.cmd] : spec.cmd;
  const cmd = cgroup
    ? ["/bin/sh", "-c", `${joinCgroupsScript(cgroup.procsFiles)}\nexec "$@"`, "sh", ...command]
    : command;
  return startDetached({ cmd, env: spec.env, cwd: spec.cwd }, cgroup);
}
