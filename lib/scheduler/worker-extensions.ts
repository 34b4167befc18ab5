/** @module What a starting worker's Extensions API knows of its function and tells back to the start. */
import { basename } from "node:path";
import type { ExtensionsOptions } from "../runtime-api/mod.ts";
import type { FunctionTarget } from "./target.ts";

/** What {@linkcode workerExtensionsOptions} needs besides the function. */
export interface WorkerExtensionsHooks {
  /** The external extensions' files (real paths): they register under their file names. */
  files: readonly string[];
  /** Every external extension has registered: the runtime may start now. */
  onRegistered(): void;
  /** An extension failed the init phase: Lambda's error type and message. */
  onInitFailure(errorType: string, message: string): void;
}

/** The Extensions API's options for a worker of `target` starting now (its `platform.initStart` is timed now). */
export function workerExtensionsOptions(
  target: FunctionTarget,
  hooks: WorkerExtensionsHooks,
): ExtensionsOptions {
  const { functionName, handler } = target.config;
  return {
    metadata: {
      functionName,
      functionVersion: target.version,
      handler,
      accountId: target.functionArn.split(":")[4] ?? "",
    },
    externalNames: hooks.files.map((file) => basename(file)),
    onRegistered: () => hooks.onRegistered(),
    onInitFailure: (errorType, message) => hooks.onInitFailure(errorType, message),
    initStart: {
      time: new Date(),
      record: {
        initializationType: "on-demand",
        phase: "init",
        functionName,
        functionVersion: target.version,
      },
    },
  };
}
