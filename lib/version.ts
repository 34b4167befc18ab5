/** @module The version of this build: package.json's version, and the commit and target set by the release build. */
import pkg from "../package.json" with { type: "json" };

/** Set by `bun build --define` in scripts/release.ts; absent when running from source. */
declare const LAMBDALET_BUILD: { commit: string; target: string } | undefined;

/** lambdalet's version, such as `0.1.0`. */
export const VERSION: string = pkg.version;

/** The commit and Bun target this binary was built from, or `source` when run from a checkout. */
export const BUILD: { commit: string; target: string } = typeof LAMBDALET_BUILD === "undefined"
  ? { commit: "source", target: `bun-${process.platform}-${process.arch}` }
  : LAMBDALET_BUILD;

/** What `lambdalet --version` prints: `0.1.0 (commit 1a2b3c4, bun-linux-arm64)`. */
export const VERSION_LINE = `${VERSION} (commit ${BUILD.commit}, ${BUILD.target})`;
