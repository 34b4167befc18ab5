/** @module Installs the Node.js SDK pack from the npm registry with a real package manager, then swaps it in. */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { readSdkManifest, SDK_MANIFEST_FILE, type SdkManifest } from "./sdk-pack.ts";

/** Thrown when the SDK pack cannot be installed; the message says why and what to do. */
export class SdkInstallError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SdkInstallError";
  }
}

/** Options of {@linkcode installNodeSdk}. */
export interface InstallNodeSdkOptions {
  /** Reinstall even when every client is there already. @default false */
  force?: boolean;
  /** Where the package manager's output goes. @default "inherit" */
  output?: "inherit" | "ignore";
}

/** What {@linkcode installNodeSdk} did. */
export interface InstallNodeSdkResult {
  /** False when every client asked for was installed already. */
  installed: boolean;
  /** The pack's manifest afterwards. */
  manifest: SdkManifest;
}

/** A client name as `--clients` takes it (`lambda`, `s3`, `client-s3` or `@aws-sdk/client-s3`) → its package name. */
export function clientPackage(name: string): string {
  const short = name.trim().replace(/^@aws-sdk\//, "").replace(/^client-/, "");
  if (!/^[a-z0-9][a-z0-9-]*$/.test(short)) {
    throw new SdkInstallError(`Cannot install the SDK client '${name}': a client is named like lambda or s3`);
  }
  return `@aws-sdk/client-${short}`;
}

/** The package manager: npm on PATH, else this very binary acting as bun (`BUN_BE_BUN=1`). */
function packageManager(): { cmd: string[]; env: Record<string, string>; name: string } {
  const npm = Bun.which("npm");
  if (npm) {
    return {
      cmd: [npm, "install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
      env: {},
      name: "npm",
    };
  }
  return {
    cmd: [process.execPath, "install", "--production", "--ignore-scripts"],
    env: { BUN_BE_BUN: "1" },
    name: "bun",
  };
}

async function installerVersion(manager: { cmd: string[]; env: Record<string, string>; name: string }) {
  const proc = Bun.spawn({
    cmd: [manager.cmd[0]!, "--version"],
    env: { ...process.env, ...manager.env },
    stdout: "pipe",
    stderr: "ignore",
  });
  const text = (await new Response(proc.stdout).text()).trim();
  await proc.exited;
  return `${manager.name} ${text || "?"}`;
}

/** Makes the tree readable by every worker uid: folders 0755, files 0644 (0755 when executable). */
function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openUp(path);
    else chmodSync(path, lstatSync(path).mode & 0o111 ? 0o755 : 0o644);
  }
}

/**
 * Installs `packages` (added to what the pack at `packDir` holds) into a staging folder next to it, writes the
 * exact versions to its manifest, opens its modes to every worker, and swaps it in with a rename.
 */
export async function installNodeSdk(
  packDir: string,
  packages: string[],
  options: InstallNodeSdkOptions = {},
): Promise<InstallNodeSdkResult> {
  const current = readSdkManifest(packDir);
  const wanted = [...new Set([...Object.keys(current?.packages ?? {}), ...packages])].sort();
  if (current && !options.force && packages.every((name) => name in current.packages)) {
    return { installed: false, manifest: current };
  }
  const parent = dirname(packDir);
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  chmodSync(parent, 0o755);
  const staging = join(parent, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o755 });
  try {
    const dependencies = Object.fromEntries(wanted.map((name) => [name, "^3"]));
    writeFileSync(
      join(staging, "package.json"),
      JSON.stringify({ name: "lambdalet-sdk-pack", private: true, dependencies }, null, 2),
    );
    const manager = packageManager();
    const proc = Bun.spawn({
      cmd: manager.cmd,
      cwd: staging,
      env: { ...process.env, ...manager.env },
      stdout: options.output ?? "inherit",
      stderr: options.output ?? "inherit",
    });
    const code = await proc.exited;
    if (code !== 0) {
      throw new SdkInstallError(
        `Cannot install ${
          wanted.join(", ")
        }: ${manager.name} exited with ${code} (is the npm registry reachable?)`,
      );
    }
    const versions: Record<string, string> = {};
    for (const name of wanted) {
      const manifestPath = join(staging, "node_modules", name, "package.json");
      if (!existsSync(manifestPath)) {
        throw new SdkInstallError(`Cannot install ${name}: the registry has no such package`);
      }
      versions[name] = (JSON.parse(readFileSync(manifestPath, "utf8")) as { version: string }).version;
    }
    const manifest: SdkManifest = {
      packages: versions,
      installer: await installerVersion(manager),
      installedAt: new Date().toISOString(),
    };
    writeFileSync(join(staging, SDK_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    openUp(staging);
    const old = join(parent, `.old-${process.pid}`);
    if (existsSync(packDir)) renameSync(packDir, old);
    renameSync(staging, packDir);
    rmSync(old, { recursive: true, force: true });
    return { installed: true, manifest };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
