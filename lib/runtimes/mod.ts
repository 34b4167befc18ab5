/** @module The runtimes that workers run: embedded bootstraps and the host's interpreters. */
export { findInterpreter, type Interpreter } from "./interpreter.ts";
export {
  EntrypointError,
  type LaunchCommand,
  type LaunchOptions,
  layerNodePaths,
  layerPythonPaths,
  RuntimeHost,
  type RuntimeHostOptions,
} from "./runtime-host.ts";
export {
  familyWarnings,
  type ResolutionSource,
  resolveRuntimes,
  type RuntimeResolution,
  versionKey,
} from "./runtime-versions.ts";
export { isCompiledBinary, selfCommand } from "./self-command.ts";
export {
  clientPackage,
  installNodeSdk,
  type InstallNodeSdkOptions,
  type InstallNodeSdkResult,
  SdkInstallError,
} from "./sdk-install.ts";
export {
  ADD_SDK_COMMAND,
  DEFAULT_SDK_CLIENTS,
  describeSdkPack,
  nodeSdkDir,
  readSdkManifest,
  SDK_MANIFEST_FILE,
  type SdkManifest,
} from "./sdk-pack.ts";
export {
  GREENGRASS_FUNCTIONS,
  GREENGRASS_RUNTIME_FILES,
  greengrassEnvironment,
  IPC_PATH_PREFIX,
} from "./greengrass.ts";
