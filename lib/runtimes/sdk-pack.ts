/** @module The SDK pack: the AWS SDK for JavaScript v3 clients installed once under the data dir, as Lambda's runtimes ship them. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The command that installs the Node.js SDK pack, named in errors and reports. */
export const ADD_SDK_COMMAND = "lambdalet runtimes add-sdk nodejs";

/**
 * The clients installed when none are named: the services most Lambda samples call. Each client adds only a
 * megabyte or two on top of the shared core (@smithy, credential providers), so the set stays small on a device.
 */
export const DEFAULT_SDK_CLIENTS: readonly string[] = ["lambda", "s3", "dynamodb", "sqs", "sns", "sts"];

/** What `lambdalet runtimes add-sdk nodejs` installed, written next to the packages. */
export interface SdkManifest {
  /** Each `@aws-sdk/client-*` package by its full name, with its exact installed version. */
  packages: Record<string, string>;
  /** The package manager that installed them (`npm 10.8.2`, `bun 1.4.4`). */
  installer: string;
  /** When they were installed (ISO 8601). */
  installedAt: string;
}

/** The manifest's file name in the pack folder. */
export const SDK_MANIFEST_FILE = "lambdalet-sdk.json";

/**
 * The Node.js SDK pack folder of a data dir (it holds `node_modules`): under the runtimes folder, which containers
 * show read-only at /var/runtime (so workers there see `/var/runtime/sdk/nodejs/node_modules`). The agent's start
 * rewrites only the bootstrap files of that folder, never this one.
 */
export function nodeSdkDir(dataDir: string): string {
  return join(dataDir, "runtimes", "sdk", "nodejs");
}

/** The pack's manifest, or null when the pack is not installed (or its manifest is unreadable). */
export function readSdkManifest(packDir: string): SdkManifest | null {
  const path = join(packDir, SDK_MANIFEST_FILE);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as SdkManifest;
  } catch {
    return null;
  }
}

/** One line saying what the pack holds (`@aws-sdk/client-lambda 3.700.0, ...`), or that it is not installed. */
export function describeSdkPack(packDir: string): string {
  const manifest = readSdkManifest(packDir);
  if (!manifest) {
    return `not installed (functions must bundle @aws-sdk/*; install it with \`${ADD_SDK_COMMAND}\`)`;
  }
  const packages = Object.entries(manifest.packages).map(([name, version]) => `${name} ${version}`);
  return `${packages.join(", ")} in ${packDir} (by ${manifest.installer}, ${manifest.installedAt})`;
}
