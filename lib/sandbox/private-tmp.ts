/** @module A private, size-bounded /tmp for a NoContainer worker: a tmpfs in a mount namespace of its own. */
import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative } from "node:path";
import { shellQuote } from "./shell.ts";

/** How to give a worker a private /tmp. */
export interface PrivateTmp {
  /** The unshare executable. */
  unshare: string;
  /** Size of the tmpfs in MB (the function's `EphemeralStorage.Size`). */
  sizeMb: number;
  /** Host paths under /tmp the worker needs (the data dir, its interpreter, its volumes): bound back in. */
  keep: string[];
}

/** The host's /tmp, symlinks followed. */
function hostTmp(): string {
  try {
    return realpathSync("/tmp");
  } catch {
    return "/tmp";
  }
}

/**
 * The paths of `paths` that lie under /tmp, relative to it (`lambdalet-x/data`), for the ones that exist; null when
 * one of them is /tmp itself (the worker needs all of it: no private /tmp then).
 */
export function pathsUnderTmp(paths: readonly string[]): string[] | null {
  const tmp = hostTmp();
  const inside = new Set<string>();
  for (const path of paths) {
    if (!isAbsolute(path) || !existsSync(path)) continue;
    const rel = relative(tmp, realpathSync(path));
    if (rel === "") return null;
    if (!rel.startsWith("..") && !isAbsolute(rel)) inside.add(rel);
  }
  // a path inside another that is kept comes with it
  return [...inside].filter((rel) =>
    ![...inside].some((other) => other !== rel && rel.startsWith(`${other}/`))
  );
}

/**
 * The script, run as root in a new mount namespace, that mounts a tmpfs of `sizeMb` on /tmp, binds back the kept
 * paths from the host's /tmp (reached through the working folder, which still is the host's /tmp once covered:
 * hence relative sources and `--no-canonicalize`), returns to `cwd` and execs its arguments. Given `cgroupProcs`,
 * it joins those cgroups meanwhile (a subshell moves it: a move waits for the kernel's RCU grace period, which the
 * mounts need not wait for) and execs only once it is in them.
 */
export function privateTmpScript(tmp: PrivateTmp, cwd: string, cgroupProcs: readonly string[] = []): string {
  const q = shellQuote;
  const join = cgroupProcs.map((file) => `echo $$ > ${q(file)}`).join(" && ");
  const lines = [
    "set -e",
    "umask 022", // the mount points it makes must let the worker's uid through
    ...(join ? [`(${join}) &`, "J=$!"] : []),
    "cd /tmp",
    `mount -t tmpfs -o size=${tmp.sizeMb}m,mode=1777,nosuid,nodev tmp /tmp`,
  ];
  for (const rel of pathsUnderTmp(tmp.keep) ?? []) {
    if (statSync(`${hostTmp()}/${rel}`).isDirectory()) {
      lines.push(
        `mkdir -p ${q(`/tmp/${rel}`)}`,
        `mount --no-canonicalize --rbind ${q(rel)} ${q(`/tmp/${rel}`)}`,
      );
    } else {
      lines.push(
        `mkdir -p ${q(`/tmp/${dirname(rel)}`)}`,
        `: > ${q(`/tmp/${rel}`)}`,
        `mount --no-canonicalize --bind ${q(rel)} ${q(`/tmp/${rel}`)}`,
      );
    }
  }
  lines.push(`cd ${q(cwd)}`, ...(join ? ["wait $J"] : []), 'exec "$@"');
  return lines.join("\n");
}

/**
 * The command that runs `command` with a private /tmp (in a mount namespace whose mounts the host's reach), in the
 * cgroups of `cgroupProcs` (joined while the mounts are made).
 */
export function privateTmpCommand(
  tmp: PrivateTmp,
  cwd: string,
  command: string[],
  cgroupProcs: readonly string[] = [],
): string[] {
  return [
    tmp.unshare,
    "--mount",
    "--propagation",
    "slave",
    "/bin/sh",
    "-c",
    privateTmpScript(tmp, cwd, cgroupProcs),
    "sh",
    ...command,
  ];
}
