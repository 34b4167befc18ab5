/** @module The `setpriv` arguments every worker starts through: another user, no capabilities, no_new_privs. */
import type { PosixUser } from "./posix-user.ts";

/** Run the worker as another user, through util-linux `setpriv`. */
export interface PrivilegeDrop {
  /** The setpriv executable. */
  setpriv: string;
  /** The user and group to become. */
  user: PosixUser;
}

/**
 * The command prefix that execs the rest as `drop.user` with no supplementary groups, empty inheritable and
 * bounding capability sets (so nothing it execs, even as uid 0, gets a capability back) and no_new_privs (setuid
 * binaries and file capabilities grant nothing).
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
    "--",
  ];
}
