/** @module The control plane's own errors; the API turns them into Lambda's (lib/api/errors.ts). */

/**
 * A configuration this host cannot run, or the agent will not: its container mode, user, volumes, or a runtime
 * version the host lacks under `strictRuntimeVersions`. Its message says why and how to fix it.
 */
export class FunctionNotRunnableError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "FunctionNotRunnableError";
  }
}
