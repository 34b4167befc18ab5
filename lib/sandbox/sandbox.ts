/** @module Chooses how each worker runs (GreengrassContainer or NoContainer, with a declared fallback) and starts it. */
import { realpathSync } from "node:fs";
import { join } from "node:path";
import type { DeviceMount, UidRange, VolumeMount } from "../config/mod.ts";
import { type ContainerTools, prepareContainerRoot, spawnContainer } from "./container.ts";
import { type HostCapabilities, missingForContainers, type Requirement } from "./host-capabilities.ts";
import { spawnNoContainer } from "./no-container.ts";
import { pathsUnderTmp, type PrivateTmp } from "./private-tmp.ts";
import { checkPosixUser, type PosixUser, PosixUserError, type UserPolicy } from "./posix-user.ts";
import { checkVolumes } from "./volume-policy.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** How a worker is isolated. */
export type ContainerMode = "GreengrassContainer" | "NoContainer";

/** Thrown when a function asks for a mode this host cannot give and no fallback is configured. */
export class IsolationUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IsolationUnavailableError";
  }
}

/** The mode a function actually runs in. */
export interface ModeDecision {
  /** The mode used. */
  mode: ContainerMode;
  /** Why a GreengrassContainer function runs without a container, when it does. */
  fallbackReason?: string;
}

/** Everything needed to start one worker. */
export interface WorkerSpawnSpec {
  /** A unique id (names its cgroup). */
  id: string;
  /** The mode, from {@linkcode Sandbox.decide}. */
  mode: ContainerMode;
  /** Command and environment, with host paths. */
  cmd: string[];
  env: Record<string, string>;
  /** The extracted code and the bootstraps folder. */
  codeDir: string;
  runtimeDir: string;
  /** Host folders a container must also show (an interpreter's install prefix). */
  hostPaths: string[];
  /** Memory limit in bytes (containers only). */
  memoryBytes: number;
  /** Processes and threads the worker may have (`pids.max`, where the host has a pids controller). */
  maxProcesses: number;
  /** Size of the worker's private /tmp in MB (NoContainer: where the agent is root). */
  tmpSizeMb: number;
  /** `uid:gid` or names, from `Edge.posixUser`: the user to run as instead of the function's own. */
  posixUser?: string;
  /** The function's own uid (and gid), from the agent's range: the user to run as when `posixUser` is unset. */
  functionUid?: number;
  volumes: VolumeMount[];
  devices: DeviceMount[];
  mountROSysfs: boolean;
}

/** Options of {@linkcode Sandbox}. */
export interface SandboxOptions {
  /** The agent's data dir (holds the containers' root mount point). */
  dataDir: string;
  /** Run GreengrassContainer functions without a container when the host cannot isolate. @default null */
  fallback: "NoContainer" | null;
  /** Who functions may run as (the agent options `allowFunctionsToRunAsRoot` and `functionUidRange`). */
  users: UserPolicy;
}

/** Starts workers the way their function asks, on what this host can do. */
export class Sandbox {
  /** What the host offers. */
  readonly capabilities: HostCapabilities;
  readonly #options: SandboxOptions;
  readonly #missing: Requirement[];
  readonly #rootMount: string;
  readonly #dataDir: string;

  constructor(capabilities: HostCapabilities, options: SandboxOptions) {
    this.capabilities = capabilities;
    this.#options = options;
    this.#dataDir = realpathSync(options.dataDir);
    this.#missing = missingForContainers(capabilities);
    this.#rootMount = join(options.dataDir, "container-root");
    if (this.#missing.length === 0) prepareContainerRoot(this.#rootMount);
  }

  /** Why containers cannot run here (each missing piece with its fix), or an empty list. */
  get missing(): Requirement[] {
    return this.#missing;
  }

  /**
   * Whether workers run as users other than the agent's: as root the agent starts each worker as its function's own
   * uid (or its `posixUser`); otherwise every worker runs as the agent's user.
   */
  get switchesUsers(): boolean {
    return this.capabilities.root;
  }

  /** The uids functions are given, one each. */
  get functionUidRange(): UidRange {
    return this.#options.users.functionUidRange;
  }

  /** Throws {@linkcode PosixUserError} when a function may not run as `posixUser` (unknown, root, a function's uid). */
  checkUser(posixUser: string | undefined): void {
    if (posixUser !== undefined) checkPosixUser(posixUser, this.#options.users);
  }

  /** Throws `UnsafeVolumeError` for a volume no function may mount (system folders read-write, the data dir). */
  checkVolumes(volumes: readonly VolumeMount[]): void {
    checkVolumes(volumes, this.#options.dataDir);
  }

  /** The mode a function asking for `requested` runs in here; throws when it cannot and no fallback is set. */
  decide(requested: ContainerMode): ModeDecision {
    if (requested === "NoContainer" || this.#missing.length === 0) return { mode: requested };
    const reason = this.#missing.map((item) =>
      `${item.name}: ${item.detail}${item.fix ? ` (fix: ${item.fix})` : ""}`
    )
      .join("; ");
    if (this.#options.fallback === "NoContainer") return { mode: "NoContainer", fallbackReason: reason };
    throw new IsolationUnavailableError(
      `This host cannot run GreengrassContainer functions: ${reason}. Set Edge.containerMode to NoContainer, or start the agent with "containerFallback": "NoContainer" in its config`,
    );
  }

  /** Starts a worker, as its function's user when the agent is root (refusing what the policy forbids). */
  spawn(spec: WorkerSpawnSpec): WorkerProcess {
    this.checkVolumes(spec.volumes);
    const user = this.#userOf(spec);
    const driver = this.capabilities.cgroups;
    const dieWithParent = this.capabilities.dieWithParent;
    if (spec.mode === "NoContainer") {
      const drop = user ? { setpriv: this.#setpriv(), user } : undefined;
      const cgroup = driver?.create(spec.id, { pids: spec.maxProcesses });
      try {
        return spawnNoContainer({ cmd: spec.cmd, env: spec.env, cwd: spec.codeDir }, {
          cgroup,
          drop,
          setprivDiesWithParent: dieWithParent ? this.capabilities.tools.setpriv : undefined,
          privateTmp: this.#privateTmp(spec),
        });
      } catch (error) {
        cgroup?.remove();
        throw error;
      }
    }
    if (!driver) throw new IsolationUnavailableError("No cgroup driver: containers cannot run");
    if (!user) throw new IsolationUnavailableError("Containers need the agent to run as root");
    const cgroup = driver.create(spec.id, { memoryBytes: spec.memoryBytes, pids: spec.maxProcesses });
    try {
      return spawnContainer({
        cmd: spec.cmd,
        env: spec.env,
        codeDir: spec.codeDir,
        runtimeDir: spec.runtimeDir,
        hostPaths: spec.hostPaths,
        volumes: spec.volumes,
        devices: spec.devices,
        mountROSysfs: spec.mountROSysfs,
        tmpSizeMb: spec.tmpSizeMb,
        user,
        cgroup,
        rootMount: this.#rootMount,
        tools: this.capabilities.tools as ContainerTools,
        dieWithParent,
      });
    } catch (error) {
      cgroup.remove();
      throw error;
    }
  }

  /** The user a worker runs as: none (the agent's) unless the agent is root; then its posixUser or its own uid. */
  #userOf(spec: WorkerSpawnSpec): PosixUser | undefined {
    if (!this.switchesUsers) return undefined;
    if (spec.posixUser !== undefined) return checkPosixUser(spec.posixUser, this.#options.users);
    if (spec.functionUid === undefined) {
      throw new PosixUserError("The worker has no uid of its own: the agent will not start it as root");
    }
    return { uid: spec.functionUid, gid: spec.functionUid };
  }

  /**
   * A NoContainer worker's private /tmp, where the host allows one (root, mount namespaces); with the paths under
   * the host's /tmp it needs bound back in: the data dir (its code and runtime), its interpreter, its volumes.
   */
  #privateTmp(spec: WorkerSpawnSpec): PrivateTmp | undefined {
    const unshare = this.capabilities.tools.unshare;
    if (!this.capabilities.privateTmp || !unshare) return undefined;
    const keep = [this.#dataDir, ...spec.hostPaths, ...spec.volumes.map((volume) => volume.sourcePath)];
    if (pathsUnderTmp(keep) === null) return undefined; // it needs all of the host's /tmp
    return { unshare, sizeMb: spec.tmpSizeMb, keep };
  }

  #setpriv(): string {
    const setpriv = this.capabilities.tools.setpriv;
    if (setpriv) return setpriv;
    throw new IsolationUnavailableError(
      "setpriv is not installed, so the agent (root) cannot start workers as their own users: apt-get install util-linux",
    );
  }
}
