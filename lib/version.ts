/** @module The version of this build, read from package.json at build time. */
import pkg from "../package.json" with { type: "json" };

/** lambdalet's version, such as `0.1.0`. */
export const VERSION: string = pkg.version;
