/** @module The runtimes that workers run: embedded bootstraps and the host's interpreters. */
export { findInterpreter, type Interpreter } from "./interpreter.ts";
export { EntrypointError, type LaunchCommand, RuntimeHost, type RuntimeHostOptions } from "./runtime-host.ts";
export {
  familyWarnings,
  type ResolutionSource,
  resolveRuntimes,
  type RuntimeResolution,
  versionKey,
} from "./runtime-versions.ts";
export { isCompiledBinary, selfCommand } from "./self-command.ts";
