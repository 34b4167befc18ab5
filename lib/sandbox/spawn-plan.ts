/** @module The spawn plan: how a function's workers run on this host, decided once per function version. */
import type { DeviceMount, VolumeMount } from "../config/mod.ts";
import type { PosixUser, PosixUserError } from "./posix-user.ts";
import type { NoContainerVolumeError, UnsafeVolumeError } from "./volume-policy.ts";

/** How a worker is isolated. */
export type ContainerMode = "GreengrassContainer" | "NoContainer";

/** Thrown when a function asks for a mode this host cannot give and no fallback is configured. */
export class IsolationUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IsolationUnavailableError";
  }
}

/** Why a function's workers cannot start here, as the named error spawning one throws. */
export type SpawnRefusal =
  | IsolationUnavailableError
  | PosixUserError
  | UnsafeVolumeError
  | NoContainerVolumeError;

/**
 * Who a worker runs as: the agent's own user (the agent is not root), the resolved `Edge.posixUser`, the
 * function's own uid, or nobody yet (the agent is root and the plan was made without the function's uid: a
 * creation check does that; spawning refuses it).
 */
export type PlannedUser =
  | { kind: "agent" }
  | { kind: "posixUser"; user: PosixUser }
  | { kind: "function"; user: PosixUser }
  | { kind: "unassigned" };

/** How a function's workers run here, from {@linkcode Sandbox.plan}: read by the creation check, status and spawn. */
export interface SpawnPlan {
  /** The mode used. */
  mode: ContainerMode;
  /** Why a GreengrassContainer function runs without a container, when it does. */
  fallbackReason?: string;
  /** Why no worker of the function may start here (spawning throws it), when so. */
  refusal?: SpawnRefusal;
  /** Memory limit in bytes, applied in GreengrassContainer mode. */
  memoryBytes: number;
  /** Processes and threads a worker may have (`pids.max`, where the host has a pids controller). */
  maxProcesses: number;
  /** Size of the worker's private /tmp in MB (NoContainer: where the agent is root). */
  tmpSizeMb: number;
  /** The user the workers run as. */
  user: PlannedUser;
  /** The function's volumes and devices. */
  volumes: readonly VolumeMount[];
  devices: readonly DeviceMount[];
  /** Mount /sys read-only (GreengrassContainer). */
  mountROSysfs: boolean;
}

/** What one worker launches, beside its function's plan. */
export interface LaunchSpec {
  /** A unique id (names its cgroup). */
  id: string;
  /** Command and environment, with host paths. */
  cmd: string[];
  env: Record<string, string>;
  /** The extracted code and the bootstraps folder. */
  codeDir: string;
  runtimeDir: string;
  /** The function's layers merged, shown read-only at /opt in a container. @default none */
  optDir?: string;
  /** Host folders a container must also show (an interpreter's install prefix). */
  hostPaths: string[];
  /** `pipe`: the agent may write to the worker's stdin (its extensions' launcher awaits its word). @default "ignore" */
  stdin?: "pipe" | undefined;
}
