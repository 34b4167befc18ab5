/** @module The runtimes that workers run: embedded bootstraps and the host's interpreters. */
export { findInterpreter, type Interpreter } from "./interpreter.ts";
export { EntrypointError, type LaunchCommand, RuntimeHost } from "./runtime-host.ts";
export { isCompiledBinary, selfCommand } from "./self-command.ts";
