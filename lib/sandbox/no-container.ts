/** @module NoContainer mode: the worker is a plain child process leading its own process group (and cgroup). */
import { startDetached } from "./detached-process.ts";
import { type PrivateTmp, privateTmpCommand } from "./private-tmp.ts";
import { dieWithParentCommand, type PrivilegeDrop, setprivCommand } from "./privilege-drop.ts";
import { joinCgroupsScript } from "./shell.ts";
import type { WorkerCgroup } from "./worker-cgroup.ts";
import type { SpawnSpec, WorkerProcess } from "./worker-process.ts";

/** Options of {@linkcode spawnNoContainer}. */
export interface NoContainerOptions {
  /** The worker's cgroup (a `pids.max`, and a kill that reaches children that left the group). @default none */
  cgroup?: WorkerCgroup | undefined;
  /** Run as another user (the agent is root). @default the agent's own user */
  drop?: PrivilegeDrop | undefined;
  /** setpriv with `--pdeathsig`: the worker is killed when the agent dies, even by SIGKILL. @default none */
  setprivDiesWithParent?: string | undefined;
  /** A private /tmp of the function's `EphemeralStorage` (the agent is root). @default the host's /tmp */
  privateTmp?: PrivateTmp | undefined;
}

/**
 * Starts a worker as a plain process in a new session, so that killing its group kills its children too. The chain
 * is one process throughout (each step execs the next): sh joins the cgroup, or [setpriv sets the parent-death
 * signal, unshare makes a mount namespace, sh mounts the private /tmp while it joins the cgroup]; then setpriv
 * becomes the function's user with no capabilities, no_new_privs and the parent-death signal again (a change of uid
 * clears it), then the runtime. Its parent stays the agent, so the kernel kills it when the agent dies.
 */
export function spawnNoContainer(spec: SpawnSpec, options: NoContainerOptions = {}): WorkerProcess {
  const { cgroup, drop, setprivDiesWithParent: setpriv, privateTmp } = options;
  const dieWithParent = setpriv ? dieWithParentCommand(setpriv) : [];
  const asUser = drop ? setprivCommand({ ...drop, dieWithParent: setpriv !== undefined }) : dieWithParent;
  const runtime = [...asUser, ...spec.cmd];
  // with a private /tmp, its script joins the cgroups while it mounts; else a shell joins them first
  const cmd = privateTmp
    ? [...dieWithParent, ...privateTmpCommand(privateTmp, spec.cwd, runtime, cgroup?.procsFiles)]
    : cgroup
    ? ["/bin/sh", "-c", `${joinCgroupsScript(cgroup.procsFiles)}\nexec "$@"`, "sh", ...runtime]
    : runtime;
  return startDetached({ cmd, env: spec.env, cwd: spec.cwd, stdin: spec.stdin }, cgroup);
}
