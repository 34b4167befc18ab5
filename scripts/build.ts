/** @module Builds the single-file binaries: `bun scripts/build.ts [--target x64|arm64|...]... [--outdir dist]`. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

/** Every target lambdalet is built for, by short name. */
export const TARGETS: Record<string, string> = {
  x64: "bun-linux-x64",
  "x64-baseline": "bun-linux-x64-baseline",
  arm64: "bun-linux-arm64",
  "x64-musl": "bun-linux-x64-musl",
  "arm64-musl": "bun-linux-arm64-musl",
};

/** The targets `bun run build` makes. */
export const DEFAULT_TARGETS = ["x64", "arm64"];

const ROOT = join(import.meta.dir, "..");

/** The short commit of the checkout, or `unknown` outside git. */
export function currentCommit(): string {
  const proc = Bun.spawnSync({ cmd: ["git", "rev-parse", "--short", "HEAD"], cwd: ROOT, stderr: "ignore" });
  return proc.exitCode === 0 ? proc.stdout.toString().trim() : "unknown";
}

/** Options of {@linkcode buildBinary}. */
export interface BuildOptions {
  /** Output file name. @default `lambdalet-linux-<name>` */
  fileName?: string;
  /** Precompile to bytecode (faster start, larger file). @default false */
  bytecode?: boolean;
}

/** Compiles `main.ts` for one target into `outdir`; returns the file's path. */
export async function buildBinary(name: string, outdir: string, options: BuildOptions = {}): Promise<string> {
  const target = TARGETS[name];
  if (!target) {
    throw new Error(`Cannot build for '${name}': known targets are ${Object.keys(TARGETS).join(", ")}`);
  }
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, options.fileName ?? `lambdalet-linux-${name}`);
  const build = JSON.stringify({ commit: currentCommit(), target });
  const proc = Bun.spawn({
    cmd: [
      process.execPath,
      "build",
      "--compile",
      "--minify",
      ...(options.bytecode ? ["--bytecode"] : []),
      `--target=${target}`,
      `--define=LAMBDALET_BUILD=${build}`,
      "main.ts",
      "--outfile",
      outfile,
    ],
    cwd: ROOT,
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
  for (const name of values.target ?? DEFAULT_TARGETS) {
    console.log(`built ${await buildBinary(name, values.outdir)}`);
  }
}
