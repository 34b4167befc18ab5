/** @module GreengrassContainer mode: a worker in new mount, pid, ipc and uts namespaces with a minimal view. */
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import type { DeviceMount, VolumeMount } from "../config/mod.ts";
import { joinCgroupsScript, shellQuote } from "./shell.ts";
import type { PosixUser } from "./posix-user.ts";
import type { WorkerCgroup } from "./worker-cgroup.ts";
import { startDetached } from "./detached-process.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** Where the function's code and the runtime appear inside a container. */
export const TASK_ROOT = "/var/task";
/** Where the runtime's bootstrap appears inside a container. */
export const RUNTIME_ROOT = "/var/runtime";

const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];
const DEVICES = ["null", "zero", "full", "random", "urandom"];

/** The host tools the container script runs. */
export interface ContainerTools {
  unshare: string;
  chroot: string;
  setpriv: string;
  env: string;
}

/** Everything needed to start one container worker. */
export interface ContainerSpec {
  /** Command with host paths; the code and runtime folders are rewritten to /var/task and /var/runtime. */
  cmd: string[];
  /** Environment with host paths, rewritten the same way. */
  env: Record<string, string>;
  /** The extracted code, bound read-only at /var/task. */
  codeDir: string;
  /** The bootstraps folder, bound read-only at /var/runtime. */
  runtimeDir: string;
  /** Host folders bound read-only at the same path (an interpreter's install prefix). */
  hostPaths: string[];
  /** The function's volumes and devices. */
  volumes: VolumeMount[];
  devices: DeviceMount[];
  /** Mount /sys read-only. */
  mountROSysfs: boolean;
  /** Size of the private /tmp in MB. */
  tmpSizeMb: number;
  /** The user the worker runs as. */
  user: PosixUser;
  /** The worker's cgroup. */
  cgroup: WorkerCgroup;
  /** An empty folder used as the container's root mount point (only inside its own mount namespace). */
  rootMount: string;
  /** The host tools. */
  tools: ContainerTools;
}

/** Where a symlink points, or null for anything else (or when it cannot be read, as under qemu-user's path mapping). */
function symlinkTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
  } catch {
    return null;
  }
}

/** Rewrites host paths of the code and runtime folders to their container paths. */
export function toContainerPath(value: string, codeDir: string, runtimeDir: string): string {
  return value.replaceAll(codeDir, TASK_ROOT).replaceAll(runtimeDir, RUNTIME_ROOT);
}

/** The script run as pid 1 of the new namespaces: builds the view, then becomes the worker. */
export function containerScript(spec: ContainerSpec): string {
  const q = shellQuote;
  const root = q(spec.rootMount);
  const lines = [
    "set -e",
    "exec 2>&3 3>&-", // the worker's stderr again (unshare's own is /dev/null)
    "export PATH=/usr/sbin:/usr/bin:/sbin:/bin",
    `R=${root}`,
    'mount -t tmpfs -o size=1m,mode=755 lambdalet "$R"',
    'bind_ro() { mkdir -p "$R$2"; mount --rbind "$1" "$R$2"; mount -o remount,bind,ro "$R$2"; }',
    'bind_rw() { mkdir -p "$R$2"; mount --rbind "$1" "$R$2"; }',
    'bind_file() { mkdir -p "$(dirname "$R$2")"; touch "$R$2"; mount --bind "$1" "$R$2"; if [ "$3" = ro ]; then mount -o remount,bind,ro "$R$2"; fi; }',
  ];
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    const link = symlinkTarget(dir);
    lines.push(link === null ? `bind_ro ${q(dir)} ${q(dir)}` : `ln -s ${q(link)} "$R${dir}"`);
  }
  for (const path of spec.hostPaths) lines.push(`bind_ro ${q(path)} ${q(path)}`);
  lines.push(
    'mkdir -p "$R/proc" "$R/tmp" "$R/dev" "$R/var/task" "$R/var/runtime"',
    'mount -t proc -o nosuid,nodev,noexec proc "$R/proc"',
    `mount -t tmpfs -o size=${spec.tmpSizeMb}m,mode=1777,nosuid,nodev tmp "$R/tmp"`,
    'mount -t tmpfs -o size=64k,mode=755,nosuid dev "$R/dev"',
    ...DEVICES.filter((name) => existsSync(`/dev/${name}`)).map((name) =>
      `bind_file /dev/${name} /dev/${name} rw`
    ),
    'mkdir -p "$R/dev/shm" && mount -t tmpfs -o size=64m,mode=1777,nosuid,nodev shm "$R/dev/shm"',
    'ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"',
    'ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"',
    `bind_ro ${q(spec.codeDir)} ${TASK_ROOT}`,
    `bind_ro ${q(spec.runtimeDir)} ${RUNTIME_ROOT}`,
  );
  if (spec.mountROSysfs) lines.push("bind_ro /sys /sys");
  for (const volume of spec.volumes) {
    lines.push(`bind_${volume.permission} ${q(volume.sourcePath)} ${q(volume.destinationPath)}`);
  }
  for (const device of spec.devices) {
    lines.push(`bind_file ${q(device.path)} ${q(device.path)} ${device.permission}`);
  }
  const command = spec.cmd.map((part) => q(toContainerPath(part, spec.codeDir, spec.runtimeDir))).join(" ");
  lines.push(
    `exec ${q(spec.tools.chroot)} "$R" ${
      q(spec.tools.setpriv)
    } --reuid=${spec.user.uid} --regid=${spec.user.gid}` +
      ` --clear-groups --no-new-privs -- ${q(spec.tools.env)} -C ${TASK_ROOT} ${command}`,
  );
  return lines.join("\n");
}

/**
 * Starts a container worker: a shell joins the worker's cgroup, then `unshare` makes new mount, pid, ipc and uts
 * namespaces (the network stays the host's, as with Greengrass) and forks the setup script as their pid 1, which
 * builds the view and becomes the runtime as an unprivileged user with no_new_privs. When pid 1 dies, the kernel
 * kills every process of the namespace; the cgroup kill covers anything else.
 */
export function spawnContainer(spec: ContainerSpec): WorkerProcess {
  const outer = [
    "set -e",
    joinCgroupsScript(spec.cgroup.procsFiles),
    // fd 3 carries stderr to the container's pid 1; unshare's own complaints (it cannot re-raise the signal
    // that killed pid 1) go nowhere
    "exec 3>&2",
    `exec ${
      shellQuote(spec.tools.unshare)
    } --mount --pid --ipc --uts --fork --kill-child --propagation private` +
    ` /bin/sh -c ${shellQuote(containerScript(spec))} 2>/dev/null`,
  ].join("\n");
  const env = Object.fromEntries(
    Object.entries(spec.env).map((
      [key, value],
    ) => [key, toContainerPath(value, spec.codeDir, spec.runtimeDir)]),
  );
  return startDetached({ cmd: ["/bin/sh", "-c", outer], env, cwd: "/" }, spec.cgroup, true);
}
