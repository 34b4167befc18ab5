/** @module The runtime identifiers lambdalet knows and the language family each belongs to. */

/** A family of runtimes sharing one bootstrap. */
export type RuntimeFamily = "nodejs";

/** Runtime identifiers, as in the Lambda API's `Runtime` member, that this build can run. */
export const RUNTIME_FAMILIES: Readonly<Record<string, RuntimeFamily>> = {
  "nodejs18.x": "nodejs",
  "nodejs20.x": "nodejs",
  "nodejs22.x": "nodejs",
};

/** The runtime identifiers accepted by CreateFunction, sorted. */
export const SUPPORTED_RUNTIMES: readonly string[] = Object.keys(RUNTIME_FAMILIES).sort();
