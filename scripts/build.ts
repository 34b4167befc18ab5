/** @module Builds the single-file binaries: `bun scripts/build.ts [--target x64|arm64]... [--outdir dist]`. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

/** The targets built by default, by their short name. */
export const TARGETS: Record<string, string> = {
  x64: "bun-linux-x64",
  arm64: "bun-linux-arm64",
};

/** Compiles `main.ts` for one target into `outdir/lambdalet-linux-<name>`; returns the file's path. */
export async function buildBinary(name: string, outdir: string): Promise<string> {
  const target = TARGETS[name];
  if (!target) {
    throw new Error(`Cannot build for '${name}': known targets are ${Object.keys(TARGETS).join(", ")}`);
  }
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `lambdalet-linux-${name}`);
  const root = join(import.meta.dir, "..");
  const proc = Bun.spawn({
    cmd: [
      process.execPath,
      "build",
      "--compile",
      "--minify",
      `--target=${target}`,
      "main.ts",
      "--outfile",
      outfile,
    ],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (await proc.exited !== 0) throw new Error(`bun build failed for ${target}`);
  return outfile;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { target: { type: "string", multiple: true }, outdir: { type: "string", default: "dist" } },
  });
  for (const name of values.target ?? Object.keys(TARGETS)) {
    console.log(`built ${await buildBinary(name, values.outdir)}`);
  }
}
