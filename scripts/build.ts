/** @module Builds the single-file binaries: `bun scripts/build.ts [--target x64|arm64|...]... [--outdir dist]`. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { elapsed, ProgressLine } from "../lib/cli/progress.ts";

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
  /**
   * Where to show the build going on: while it is active (a terminal) the compiler's own output is held and shown
   * only if it fails. @default none (the compiler writes to this process's output)
   */
  progress?: ProgressLine;
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
  const shown = options.progress?.active ? options.progress : null;
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
    stdout: shown ? "pipe" : "inherit",
    stderr: shown ? "pipe" : "inherit",
  });
  if (!shown) {
    if (await proc.exited !== 0) throw new Error(`bun build failed for ${target}`);
    return outfile;
  }
  const started = performance.now();
  const tick = () => shown.update(`Building ${name} (${target}): ${elapsed(started)}`, true);
  tick();
  const ticker = setInterval(tick, 250);
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]).finally(() => clearInterval(ticker));
  if (code !== 0) {
    shown.done();
    process.stderr.write(out + err);
    throw new Error(`bun build failed for ${target}`);
  }
  return outfile;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { target: { type: "string", multiple: true }, outdir: { type: "string", default: "dist" } },
  });
  const progress = new ProgressLine();
  for (const name of values.target ?? DEFAULT_TARGETS) {
    const file = await buildBinary(name, values.outdir, { progress });
    progress.done();
    console.log(`built ${file}`);
  }
}
