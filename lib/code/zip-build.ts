/** @module Builds zips in memory (the demo function, tests, `lambdalet` helpers) with Unix modes kept. */
import { type Zippable, zipSync } from "fflate";

/** One file of a zip to build: its text or bytes, and optionally its Unix mode (e.g. 0o755) or a symlink. */
export type ZipEntry = string | Uint8Array | {
  content: string | Uint8Array;
  mode?: number;
  symlink?: boolean;
};

const UNIX = 3;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** Builds a zip from `files` (path → content); entries keep their Unix mode so executables stay executable. */
export function buildZip(files: Record<string, ZipEntry>): Uint8Array {
  const zippable: Zippable = {};
  for (const [path, entry] of Object.entries(files)) {
    const spec = typeof entry === "string" || entry instanceof Uint8Array ? { content: entry } : entry;
    const bytes = typeof spec.content === "string" ? new TextEncoder().encode(spec.content) : spec.content;
    const type = spec.symlink ? S_IFLNK : S_IFREG;
    const mode = spec.mode ?? (spec.symlink ? 0o777 : 0o644);
    zippable[path] = [bytes, { os: UNIX, attrs: ((type | mode) << 16) >>> 0 }];
  }
  return zipSync(zippable);
}
