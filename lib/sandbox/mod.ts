/** @module Where workers run: GreengrassContainer (namespaces + cgroups) or NoContainer, chosen per function. */
export { type CgroupLayout, parseCgroupLayout } from "./cgroup-layout.ts";
export { cgroupMemoryRoomBytes } from "./memory-room.ts";
export { CgroupV1Driver } from "./cgroup-v1.ts";
export { CgroupV2Driver } from "./cgroup-v2.ts";
export { containerScript, RUNTIME_ROOT, TASK_ROOT } from "./container.ts";
export {
  detectHostCapabilities,
  type DetectOptions,
  type HostCapabilities,
  missingForContainers,
  type Requirement,
} from "./host-capabilities.ts";
export {
  sweepLeftoverWorkers,
  type SweepOptions,
  type SweepReport,
  WORKER_CGROUPS_FILE,
  workerCgroupParent,
} from "./leftover-workers.ts";
export { type NoContainerOptions, spawnNoContainer } from "./no-container.ts";
export { pathsUnderTmp, type PrivateTmp, privateTmpScript } from "./private-tmp.ts";
export {
  checkPosixUser,
  groupIdOf,
  hostHasId,
  type PosixUser,
  PosixUserError,
  resolvePosixUser,
  type UserPolicy,
} from "./posix-user.ts";
export {
  checkNoContainerVolumes,
  checkVolumes,
  NoContainerVolumeError,
  UnsafeVolumeError,
  volumeRefusal,
} from "./volume-policy.ts";
export { type ModeDecision, Sandbox, type SandboxOptions } from "./sandbox.ts";
export {
  type ContainerMode,
  IsolationUnavailableError,
  type LaunchSpec,
  type PlannedUser,
  type SpawnPlan,
  type SpawnRefusal,
} from "./spawn-plan.ts";
export type { CgroupDriver, CgroupLimits, WorkerCgroup } from "./worker-cgroup.ts";
export {
  describeExit,
  type ExitStatus,
  type SpawnSpec,
  type WorkerProcess,
  type WorkerStdin,
} from "./worker-process.ts";
