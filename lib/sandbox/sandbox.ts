/** @module Chooses how each worker runs (GreengrassContainer or NoContainer, with a declared fallback) and starts it. */
import { mkdirSync, realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { containerMemoryKb, type FunctionConfig, type UidRange, type VolumeMount } from "../config/mod.ts";
import { type ContainerTools, prepareContainerRoot, spawnContainer } from "./container.ts";
import { type HostCapabilities, missingForContainers, type Requirement } from "./host-capabilities.ts";
import { spawnNoContainer } from "./no-container.ts";
import { pathsUnderTmp, type PrivateTmp } from "./private-tmp.ts";
import { checkPosixUser, type PosixUser, PosixUserError, type UserPolicy } from "./posix-user.ts";
import {
  type ContainerMode,
  IsolationUnavailableError,
  type LaunchSpec,
  type PlannedUser,
  type SpawnPlan,
} from "./spawn-plan.ts";
import {
  checkNoContainerVolumes,
  checkVolumes,
  NoContainerVolumeError,
  UnsafeVolumeError,
} from "./volume-policy.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** The mode a function actually runs in. */
export interface ModeDecision {
  /** The mode used. */
  mode: ContainerMode;
  /** Why a GreengrassContainer function runs without a container, when it does. */
  fallbackReason?: string;
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
  readonly #mountsDir: string;
  readonly #dataDir: string;

  constructor(capabilities: HostCapabilities, options: SandboxOptions) {
    this.capabilities = capabilities;
    this.#options = options;
    this.#dataDir = realpathSync(options.dataDir);
    this.#missing = missingForContainers(capabilities);
    this.#rootMount = join(options.dataDir, "container-root");
    this.#mountsDir = join(options.dataDir, "container-mounts");
    if (this.#missing.length === 0) {
      prepareContainerRoot(this.#rootMount);
      // the mount tables of the previous run's functions: rewritten as their workers start again
      rmSync(this.#mountsDir, { recursive: true, force: true });
      mkdirSync(this.#mountsDir, { mode: 0o700 });
    }
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

  /**
   * How the workers of `config` run here, decided once: the mode (with the fallback's reason), the limits, the user,
   * the mounts, and the first reason they may not start at all (the mode, the `posixUser`, an unsafe volume, a
   * NoContainer volume away from its host path) as the `refusal` spawning throws. Without `functionUid` (a creation
   * check) an agent that is root has no user for them yet: only spawning refuses that.
   */
  plan(config: FunctionConfig, functionUid?: number): SpawnPlan {
    const { edge } = config;
    const decision = this.#decide(edge.containerMode);
    const user = this.#plannedUser(edge.posixUser, functionUid);
    const refusal = decision.refusal ?? user.refusal ??
      this.#volumeRefusal(edge.containerParams.volumes, decision.mode);
    return {
      mode: decision.mode,
      ...(decision.fallbackReason === undefined ? {} : { fallbackReason: decision.fallbackReason }),
      ...(refusal === undefined ? {} : { refusal }),
      memoryBytes: containerMemoryKb(config) * 1024,
      maxProcesses: edge.maxProcesses,
      tmpSizeMb: config.ephemeralStorageSize,
      user: user.planned,
      volumes: edge.containerParams.volumes,
      devices: edge.containerParams.devices,
      mountROSysfs: edge.containerParams.mountROSysfs,
    };
  }

  /** Starts a worker of `plan` (throwing its `refusal` when it has one), as the user the plan names. */
  spawn(plan: SpawnPlan, launch: LaunchSpec): WorkerProcess {
    if (plan.refusal) throw plan.refusal;
    const user = this.#userOf(plan.user);
    const driver = this.capabilities.cgroups;
    const dieWithParent = this.capabilities.dieWithParent;
    if (plan.mode === "NoContainer") {
      const drop = user ? { setpriv: this.#setpriv(), user } : undefined;
      const cgroup = driver?.create(launch.id, { pids: plan.maxProcesses });
      try {
        return spawnNoContainer({
          cmd: launch.cmd,
          env: launch.env,
          cwd: launch.codeDir,
          stdin: launch.stdin,
        }, {
          cgroup,
          drop,
          setprivDiesWithParent: dieWithParent ? this.capabilities.tools.setpriv : undefined,
          privateTmp: this.#privateTmp(plan, launch),
        });
      } catch (error) {
        cgroup?.remove();
        throw error;
      }
    }
    if (!driver) throw new IsolationUnavailableError("No cgroup driver: containers cannot run");
    if (!user) throw new IsolationUnavailableError("Containers need the agent to run as root");
    const cgroup = driver.create(launch.id, { memoryBytes: plan.memoryBytes, pids: plan.maxProcesses });
    try {
      return spawnContainer({
        cmd: launch.cmd,
        env: launch.env,
        stdin: launch.stdin,
        codeDir: launch.codeDir,
        runtimeDir: launch.runtimeDir,
        optDir: launch.optDir,
        hostPaths: launch.hostPaths,
        volumes: plan.volumes,
        devices: plan.devices,
        mountROSysfs: plan.mountROSysfs,
        tmpSizeMb: plan.tmpSizeMb,
        user,
        cgroup,
        rootMount: this.#rootMount,
        mountsDir: this.#mountsDir,
        tools: this.capabilities.tools as ContainerTools,
        dieWithParent,
        unshareRoot: this.capabilities.unshareRoot ?? false,
      });
    } catch (error) {
      cgroup.remove();
      throw error;
    }
  }

  /** The mode for `requested`, or the refusal (with the mode asked for) when it cannot run and no fallback is set. */
  #decide(requested: ContainerMode): ModeDecision & { refusal?: IsolationUnavailableError } {
    if (requested === "NoContainer" || this.#missing.length === 0) return { mode: requested };
    const reason = this.#missing.map((item) =>
      `${item.name}: ${item.detail}${item.fix ? ` (fix: ${item.fix})` : ""}`
    )
      .join("; ");
    if (this.#options.fallback === "NoContainer") return { mode: "NoContainer", fallbackReason: reason };
    return {
      mode: requested,
      refusal: new IsolationUnavailableError(
        `This host cannot run GreengrassContainer functions: ${reason}. Set Edge.containerMode to NoContainer, or start the agent with "containerFallback": "NoContainer" in its config`,
      ),
    };
  }

  /** Who workers run as: the agent's user unless the agent is root; then the vetted `posixUser`, else `functionUid`. */
  #plannedUser(
    posixUser: string | undefined,
    functionUid: number | undefined,
  ): { planned: PlannedUser; refusal?: PosixUserError } {
    const agent = !this.switchesUsers;
    if (posixUser !== undefined) {
      try {
        const user = checkPosixUser(posixUser, this.#options.users);
        return { planned: agent ? { kind: "agent" } : { kind: "posixUser", user } };
      } catch (error) {
        if (!(error instanceof PosixUserError)) throw error;
        return { planned: agent ? { kind: "agent" } : { kind: "unassigned" }, refusal: error };
      }
    }
    if (agent) return { planned: { kind: "agent" } };
    if (functionUid === undefined) return { planned: { kind: "unassigned" } };
    return { planned: { kind: "function", user: { uid: functionUid, gid: functionUid } } };
  }

  /** Why `volumes` may not be mounted in `mode` (unsafe, or away from their host path without a container). */
  #volumeRefusal(
    volumes: readonly VolumeMount[],
    mode: ContainerMode,
  ): UnsafeVolumeError | NoContainerVolumeError | undefined {
    try {
      checkVolumes(volumes, this.#options.dataDir);
      if (mode === "NoContainer") checkNoContainerVolumes(volumes);
      return undefined;
    } catch (error) {
      if (error instanceof UnsafeVolumeError || error instanceof NoContainerVolumeError) return error;
      throw error;
    }
  }

  /** The user a worker runs as: none (the agent's), or the plan's; refuses to start one as root for want of a uid. */
  #userOf(planned: PlannedUser): PosixUser | undefined {
    if (planned.kind === "agent") return undefined;
    if (planned.kind === "unassigned") {
      throw new PosixUserError("The worker has no uid of its own: the agent will not start it as root");
    }
    return planned.user;
  }

  /**
   * A NoContainer worker's private /tmp, where the host allows one (root, mount namespaces); with the paths under
   * the host's /tmp it needs bound back in: the data dir (its code and runtime), its interpreter, its volumes.
   */
  #privateTmp(plan: SpawnPlan, launch: LaunchSpec): PrivateTmp | undefined {
    const unshare = this.capabilities.tools.unshare;
    if (!this.capabilities.privateTmp || !unshare) return undefined;
    const keep = [this.#dataDir, ...launch.hostPaths, ...plan.volumes.map((volume) => volume.sourcePath)];
    if (pathsUnderTmp(keep) === null) return undefined; // it needs all of the host's /tmp
    return { unshare, sizeMb: plan.tmpSizeMb, keep };
  }

  #setpriv(): string {
    const setpriv = this.capabilities.tools.setpriv;
    if (setpriv) return setpriv;
    throw new IsolationUnavailableError(
      "setpriv is not installed, so the agent (root) cannot start workers as their own users: apt-get install util-linux",
    );
  }
}
