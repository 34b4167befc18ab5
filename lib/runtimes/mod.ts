/** @module The runtimes that workers run: embedded bootstraps and the host's interpreters. */
export { findExecutable, type Interpreters, type LaunchCommand, RuntimeHost } from "./runtime-host.ts";
