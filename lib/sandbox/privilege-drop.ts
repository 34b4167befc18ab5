/** @module The `setpriv` arguments every worker starts through: another user, no capabilities, no_new_privs. */
import type { PosixUser } from "./posix-user.ts";

/** Run the worker as another user, through util-linux `setpriv`. */
export interface PrivilegeDrop {
  /** The setpriv executable. */
  setpriv: string;
  /** The user and group to become. */
  user: PosixUser;
  /** Also set the parent-death signal to SIGKILL (`--pdeathsig KILL`, util-linux 2.33+). @default false */
  dieWithParent?: boolean;
}

/**
 * The command prefix that execs the rest as `drop.user` with no supplementary groups, empty inheritable and
 * bounding capability sets (so nothing it execs, even as uid 0, gets a capability back) and no_new_privs (setuid
 * binaries and file capabilities grant nothing). With `dieWithParent`, the process is killed when its parent dies:
 * setpriv sets the signal after changing the uid (the kernel clears it on a change of credentials), and exec keeps
 * it (no_new_privs: nothing it execs can change them again).
 */
export function setprivCommand(drop: PrivilegeDrop): string[] {
  return [
    drop.setpriv,
    `--reuid=${drop.user.uid}`,
    `--regid=${drop.user.gid}`,
    "--clear-groups",
    "--no-new-privs",
    "--inh-caps=-all",
    "--bounding-set=-all",
    ...(drop.dieWithParent ? ["--pdeathsig", "KILL"] : []),
    "--",
  ];
}

/** The command prefix that execs the rest, unchanged but for a parent-death signal of SIGKILL. */
export function dieWithParentCommand(setpriv: string): string[] {
  return [setpriv, "--pdeathsig", "KILL", "--"];
}
