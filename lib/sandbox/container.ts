/** @module GreengrassContainer mode: a worker in new mount, pid, ipc and uts namespaces with a minimal view. */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import type { DeviceMount, VolumeMount } from "../config/mod.ts";
import { shellQuote } from "./shell.ts";
import type { PosixUser } from "./posix-user.ts";
import { dieWithParentCommand, setprivCommand } from "./privilege-drop.ts";
import type { WorkerCgroup } from "./worker-cgroup.ts";
import { startDetached } from "./detached-process.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** Where the function's code and the runtime appear inside a container. */
export const TASK_ROOT = "/var/task";
/** Where the runtime's bootstrap appears inside a container. */
export const RUNTIME_ROOT = "/var/runtime";
/** Where the function's layers appear inside a container. */
export const LAYERS_ROOT = "/opt";

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
  /** `pipe`: the agent may write to the worker's stdin. @default "ignore" */
  stdin?: "pipe" | undefined;
  /** The extracted code, bound read-only at /var/task. */
  codeDir: string;
  /** The bootstraps folder, bound read-only at /var/runtime. */
  runtimeDir: string;
  /** The function's merged layers, bound read-only at /opt (host paths of it rewritten). @default none */
  optDir?: string | undefined;
  /** Host folders bound read-only at the same path (an interpreter's install prefix). */
  hostPaths: string[];
  /** The function's volumes and devices. */
  volumes: readonly VolumeMount[];
  devices: readonly DeviceMount[];
  /** Mount /sys read-only. */
  mountROSysfs: boolean;
  /** Size of the private /tmp in MB. */
  tmpSizeMb: number;
  /** The user the worker runs as. */
  user: PosixUser;
  /** The worker's cgroup. */
  cgroup: WorkerCgroup;
  /** The container root laid out by {@linkcode prepareContainerRoot} (mounted on only inside the namespace). */
  rootMount: string;
  /** The agent's folder (root's only) for the workers' mount tables, one file per distinct set of mounts. */
  mountsDir: string;
  /** The host tools. */
  tools: ContainerTools;
  /** setpriv knows `--pdeathsig`: the container dies with the agent, even when it is killed with SIGKILL. */
  dieWithParent: boolean;
  /** unshare knows `--root` and `--wd`: it enters the root (instead of chroot, then env for the folder). */
  unshareRoot: boolean;
}

/** Where a symlink points, or null for anything else (or when it cannot be read, as under qemu-user's path mapping). */
function symlinkTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
  } catch {
    return null;
  }
}

/** Rewrites host paths of the code, runtime and layers folders to their container paths. */
export function toContainerPath(value: string, codeDir: string, runtimeDir: string, optDir?: string): string {
  const rewritten = value.replaceAll(codeDir, TASK_ROOT).replaceAll(runtimeDir, RUNTIME_ROOT);
  return optDir === undefined ? rewritten : rewritten.replaceAll(optDir, LAYERS_ROOT);
}

/**
 * Lays out the container root once, on the host: empty mount points for the system folders (symlinks where the
 * host has them, as with merged /usr), /proc, /tmp, /dev with its device stubs, /var/task and /var/runtime. Inside
 * each worker's mount namespace this folder is bound read-only and the mounts land on it, so starting a container
 * needs a dozen mounts (made by one `mount -a`) and nothing else.
 */
export function prepareContainerRoot(root: string): void {
  mkdirSync(root, { recursive: true, mode: 0o755 });
  chmodSync(root, 0o755);
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    const link = symlinkTarget(dir);
    const path = join(root, dir);
    if (link === null) mkdirSync(path, { recursive: true, mode: 0o755 });
    else if (!existsSync(path) && symlinkTarget(path) === null) symlinkSync(link, path);
  }
  for (const dir of ["proc", "tmp", "dev/shm", "sys", "var/task", "var/runtime", "opt"]) {
    mkdirSync(join(root, dir), { recursive: true, mode: 0o755 });
  }
  for (const name of DEVICES) writeFileSync(join(root, "dev", name), "", { flag: "a" });
  for (
    const [name, target] of [["fd", "/proc/self/fd"], ["stdin", "/proc/self/fd/0"], [
      "stdout",
      "/proc/self/fd/1",
    ], ["stderr", "/proc/self/fd/2"]]
  ) {
    if (symlinkTarget(join(root, "dev", name!)) === null) symlinkSync(target!, join(root, "dev", name!));
  }
}

/** Makes the mount points a worker needs beyond the common ones (its volumes, devices, interpreter prefix). */
function ensureMountPoints(spec: ContainerSpec): void {
  const dirs = [...spec.hostPaths, ...spec.volumes.map((volume) => volume.destinationPath)];
  for (const dir of dirs) mkdirSync(join(spec.rootMount, dir), { recursive: true, mode: 0o755 });
  for (const device of spec.devices) {
    mkdirSync(dirname(join(spec.rootMount, device.path)), { recursive: true, mode: 0o755 });
    writeFileSync(join(spec.rootMount, device.path), "", { flag: "a" });
  }
}

/** An fstab(5) field: blanks, `#` and backslashes as the octal escapes libmount reads back. */
function fstabField(value: string): string {
  return value.replace(/[ \t\n\r\v\f#\\]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/**
 * The worker's mounts onto the prepared root, as an fstab(5) table that one `mount -a` makes in order (one process
 * instead of one per mount): the root itself read-only, the system folders, /proc, a private /tmp and /dev/shm, the
 * device stubs, the code, the runtime, the layers, /sys, the volumes and devices.
 */
export function containerMounts(spec: ContainerSpec): string {
  const root = spec.rootMount;
  const lines: string[] = [];
  const mount = (source: string, target: string, type: string, options: string) =>
    lines.push([source, join(root, target), type, options, "0", "0"].map(fstabField).join(" "));
  const bind = (source: string, target: string, permission: "ro" | "rw") =>
    mount(source, target, "none", permission === "ro" ? "rbind,ro" : "rbind");
  mount(root, "/", "none", "bind,ro");
  for (const dir of SYSTEM_DIRS) {
    if (existsSync(dir) && symlinkTarget(dir) === null) bind(dir, dir, "ro");
  }
  for (const path of spec.hostPaths) bind(path, path, "ro");
  mount("proc", "/proc", "proc", "nosuid,nodev,noexec");
  mount("tmp", "/tmp", "tmpfs", `size=${spec.tmpSizeMb}m,mode=1777,nosuid,nodev`);
  for (const name of DEVICES) {
    if (existsSync(`/dev/${name}`)) mount(`/dev/${name}`, `/dev/${name}`, "none", "bind");
  }
  mount("shm", "/dev/shm", "tmpfs", "size=64m,mode=1777,nosuid,nodev");
  bind(spec.codeDir, TASK_ROOT, "ro");
  bind(spec.runtimeDir, RUNTIME_ROOT, "ro");
  if (spec.optDir !== undefined) bind(spec.optDir, LAYERS_ROOT, "ro");
  if (spec.mountROSysfs) bind("/sys", "/sys", "ro");
  for (const volume of spec.volumes) bind(volume.sourcePath, volume.destinationPath, volume.permission);
  for (const device of spec.devices) bind(device.path, device.path, device.permission);
  return `${lines.join("\n")}\n`;
}

/**
 * The file holding {@linkcode containerMounts} for `spec` in `spec.mountsDir`, named by its content's hash: written
 * once (atomically), then read by every worker that mounts the same (a function version's workers).
 */
function mountTableFile(spec: ContainerSpec): string {
  const text = containerMounts(spec);
  const file = join(spec.mountsDir, `${createHash("sha256").update(text).digest("hex")}.fstab`);
  if (existsSync(file)) return file;
  const temp = `${file}.tmp-${process.pid}-${crypto.randomUUID()}`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, file);
  return file;
}

/**
 * The script run as pid 1 of the new namespaces: joins the worker's cgroups while `mount -a` builds the view on the
 * prepared root (a cgroup move waits for the kernel's RCU grace period, milliseconds a mount need not wait for),
 * then becomes the worker once both are done. Processes started before the move (the mount, the joining
 * subshell) are the agent's own and gone by then; the worker and all it starts are inside the cgroups.
 */
export function containerScript(spec: ContainerSpec, mountTable: string): string {
  const q = shellQuote;
  // pid 1 of the namespace is this shell: a write of "1" from its subshell moves it, in each hierarchy
  const join = spec.cgroup.procsFiles.map((file) => `echo 1 > ${q(file)}`).join(" && ");
  const command = spec.cmd.map((part) => q(toContainerPath(part, spec.codeDir, spec.runtimeDir, spec.optDir)))
    .join(" ");
  const { setpriv } = spec.tools;
  const drop = setprivCommand({ setpriv, user: spec.user, dieWithParent: spec.dieWithParent }).map(q).join(
    " ",
  );
  // the script's own PATH (set below) would reach the worker: give it the one its environment names (layers' /opt/bin)
  const path = spec.env.PATH === undefined
    ? undefined
    : q(`PATH=${toContainerPath(spec.env.PATH, spec.codeDir, spec.runtimeDir, spec.optDir)}`);
  const root = q(spec.rootMount);
  const enter = spec.unshareRoot
    ? `exec ${q(spec.tools.unshare)} --root=${root} --wd=${TASK_ROOT} ${drop} ${command}`
    : `exec ${q(spec.tools.chroot)} ${root} ${drop} ${q(spec.tools.env)} -C ${TASK_ROOT}${
      path ? ` ${path}` : ""
    } ${command}`;
  return [
    "set -e",
    "exec 2>&3 3>&-", // the worker's stderr again (unshare's own is /dev/null)
    "export PATH=/usr/sbin:/usr/bin:/sbin:/bin",
    ...(join ? [`(${join}) &`, "J=$!"] : []),
    `mount -a -T ${q(mountTable)}`,
    ...(join ? ["wait $J"] : []),
    ...(spec.unshareRoot && path ? [`export ${path}`] : []),
    enter,
  ].join("\n");
}

/**
 * Starts a container worker: `unshare` makes new mount, pid, ipc and uts namespaces (the network stays the host's,
 * as with Greengrass) and forks the setup script as their pid 1, which joins the worker's cgroups, builds the view
 * and becomes the runtime as the function's user with no capabilities and no_new_privs. When pid 1 dies, the kernel
 * kills every process of the namespace; the cgroup kill covers anything else. (`unshare` itself, which only waits
 * for pid 1, stays in the agent's cgroup; it leads the worker's process group and session, which a kill reaches.)
 *
 * Dying with the agent: `unshare` (the agent's child) gets the parent-death signal from setpriv; pid 1 gets it
 * from unshare's `--kill-child`, loses it when setpriv changes its uid, and gets it again from that setpriv's
 * `--pdeathsig`. So a SIGKILL of the agent kills unshare, which kills pid 1, which takes the namespace with it.
 */
export function spawnContainer(spec: ContainerSpec): WorkerProcess {
  ensureMountPoints(spec);
  const dieWithParent = spec.dieWithParent ? dieWithParentCommand(spec.tools.setpriv) : [];
  const unshare = [...dieWithParent, spec.tools.unshare].map(shellQuote).join(" ");
  const outer = [
    "set -e",
    // fd 3 carries stderr to the container's pid 1; unshare's own complaints (it cannot re-raise the signal
    // that killed pid 1) go nowhere
    "exec 3>&2",
    `exec ${unshare} --mount --pid --ipc --uts --fork --kill-child --propagation private` +
    ` /bin/sh -c ${shellQuote(containerScript(spec, mountTableFile(spec)))} 2>/dev/null`,
  ].join("\n");
  const env = Object.fromEntries(
    Object.entries(spec.env).map((
      [key, value],
    ) => [key, toContainerPath(value, spec.codeDir, spec.runtimeDir, spec.optDir)]),
  );
  return startDetached(
    { cmd: ["/bin/sh", "-c", outer], env, cwd: "/", stdin: spec.stdin },
    spec.cgroup,
    true,
  );
}
