/** @module Refuses volumes that would hand a function the host: system folders writable, the agent's data dir at all. */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { VolumeMount } from "../config/mod.ts";

/** Thrown when a volume would expose what no function may write (or, for the data dir, see). */
export class UnsafeVolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeVolumeError";
  }
}

/** Folders of the system: none of them, nor an ancestor of one, may be mounted read-write. */
const SYSTEM_DIRS = [
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/opt",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/srv",
  "/sys",
  "/usr",
  "/var",
];

/** System folders whose every subfolder is the system's too (unlike /var/lib/app or /sys/class/gpio). */
const SYSTEM_TREES = [
  "/bin",
  "/boot",
  "/etc",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/proc",
  "/root",
  "/sbin",
  "/usr",
];

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === "/" ? "/" : `${dir}/`);
}

/** The path as written (normalised) and, when it exists, with its symlinks followed. */
function forms(path: string): string[] {
  const normal = resolve(path);
  try {
    const real = realpathSync(normal);
    return real === normal ? [normal] : [normal, real];
  } catch {
    return [normal];
  }
}

/** Why `volume` may not be mounted, or null when it may. */
export function volumeRefusal(volume: VolumeMount, dataDir: string): string | null {
  const dataDirs = forms(dataDir);
  for (const path of forms(volume.sourcePath)) {
    if (dataDirs.some((dir) => isInside(path, dir))) {
      return `${path} is (or is inside) the agent's data dir, which holds the database with every function's environment and code: no function may see it, read-only or not`;
    }
    if (volume.permission !== "rw") continue;
    if (path === "/") return "/ is the whole host";
    const tree = SYSTEM_TREES.find((dir) => isInside(path, dir));
    if (tree) return `${path} belongs to the system folder ${tree}`;
    const system = SYSTEM_DIRS.find((dir) => isInside(dir, path));
    if (system) return `${path} is the system folder ${system} or holds it`;
    if (dataDirs.some((dir) => isInside(dir, path))) return `${path} holds the agent's data dir`;
  }
  return null;
}

/** Throws {@linkcode UnsafeVolumeError} for the first volume that may not be mounted, saying why. */
export function checkVolumes(volumes: readonly VolumeMount[], dataDir: string): void {
  for (const volume of volumes) {
    const reason = volumeRefusal(volume, dataDir);
    if (reason === null) continue;
    const fix = volume.permission === "rw"
      ? `mount it read-only ("permission": "ro"), or mount a folder of its own`
      : "mount a folder of its own";
    throw new UnsafeVolumeError(
      `Cannot mount volume ${volume.sourcePath} (${volume.permission}): ${reason}. Instead, ${fix}`,
    );
  }
}

/** Thrown when a NoContainer function mounts a volume away from its host path, which only a container can do. */
export class NoContainerVolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoContainerVolumeError";
  }
}

/**
 * Throws {@linkcode NoContainerVolumeError} for the first volume whose `destinationPath` is not its `sourcePath`:
 * without a container a volume can only be seen at its host path.
 */
export function checkNoContainerVolumes(volumes: readonly VolumeMount[]): void {
  for (const volume of volumes) {
    if (volume.destinationPath === volume.sourcePath) continue;
    throw new NoContainerVolumeError(
      `NoContainer cannot mount volume ${volume.sourcePath} at ${volume.destinationPath}: without a container the function sees it at ${volume.sourcePath}. Set destinationPath to ${volume.sourcePath}, or use GreengrassContainer`,
    );
  }
}
