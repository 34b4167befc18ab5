/**
 * @module Release archives: `bun scripts/release.ts [--target NAME]... [--outdir dist/release] [--no-xz]`.
 *
 * Builds every target (minified), packs each binary with README.md, LICENSE, the systemd unit and install.sh as
 * `lambdalet-<version>-linux-<target>.tar.gz` (and `.tar.xz`, smaller), writes SHA256SUMS, and prints the sizes.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { ProgressLine } from "../lib/cli/progress.ts";
import { buildBinary, TARGETS } from "./build.ts";

const ROOT = join(import.meta.dir, "..");

/** The archives made for one target. */
export interface ReleaseArtifact {
  target: string;
  binaryBytes: number;
  archives: { file: string; bytes: number }[];
}

async function run(cmd: string[], cwd: string): Promise<void> {
  const proc = Bun.spawn({ cmd, cwd, stdout: "inherit", stderr: "inherit" });
  if (await proc.exited !== 0) throw new Error(`${cmd.join(" ")} failed`);
}

/**
 * Builds and packs `targets` into `outdir`, then writes `SHA256SUMS` over every archive there. `progress` shows
 * each step (on a terminal only; none by default).
 */
export async function release(
  targets: string[],
  outdir: string,
  xz = true,
  progress?: ProgressLine,
): Promise<ReleaseArtifact[]> {
  mkdirSync(outdir, { recursive: true });
  const artifacts: ReleaseArtifact[] = [];
  for (const [index, target] of targets.entries()) {
    const step = (text: string) => progress?.update(`[${index + 1}/${targets.length}] ${text}`, true);
    const name = `lambdalet-${pkg.version}-linux-${target}`;
    const stage = join(outdir, name);
    rmSync(stage, { recursive: true, force: true });
    const binary = await buildBinary(target, stage, {
      fileName: "lambdalet",
      ...(progress ? { progress } : {}),
    });
    const binaryBytes = statSync(binary).size;
    for (
      const [from, to] of [
        ["README.md", "README.md"],
        ["LICENSE", "LICENSE"],
        ["config/lambdalet.service", "lambdalet.service"],
        ["scripts/install.sh", "install.sh"],
      ] as const
    ) {
      copyFileSync(join(ROOT, from), join(stage, to));
    }
    const archives = [`${name}.tar.gz`, ...(xz ? [`${name}.tar.xz`] : [])];
    step(`${target}: packing ${archives[0]}`);
    await run(["tar", "-czf", archives[0]!, name], outdir);
    if (xz) {
      step(`${target}: packing ${archives[1]}`);
      await run(["tar", "-cJf", archives[1]!, name], outdir);
    }
    rmSync(stage, { recursive: true, force: true });
    artifacts.push({
      target,
      binaryBytes,
      archives: archives.map((file) => ({ file, bytes: statSync(join(outdir, file)).size })),
    });
  }
  progress?.update("Writing SHA256SUMS", true);
  const sums: string[] = [];
  for (const file of readdirSync(outdir).filter((entry) => /\.tar\.(gz|xz)$/.test(entry)).sort()) {
    const digest = new Bun.CryptoHasher("sha256").update(await Bun.file(join(outdir, file)).bytes()).digest(
      "hex",
    );
    sums.push(`${digest}  ${file}`);
  }
  writeFileSync(join(outdir, "SHA256SUMS"), `${sums.join("\n")}\n`);
  progress?.done();
  return artifacts;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      target: { type: "string", multiple: true },
      outdir: { type: "string", default: join("dist", "release", pkg.version) },
      "no-xz": { type: "boolean", default: false },
    },
  });
  const artifacts = await release(
    values.target ?? Object.keys(TARGETS),
    values.outdir,
    !values["no-xz"],
    new ProgressLine(),
  );
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  for (const artifact of artifacts) {
    console.log(
      `${artifact.target}: binary ${mb(artifact.binaryBytes)}, ${
        artifact.archives.map((a) => `${a.file} ${mb(a.bytes)}`).join(", ")
      }`,
    );
  }
  console.log(`wrote ${join(values.outdir, "SHA256SUMS")}`);
}
