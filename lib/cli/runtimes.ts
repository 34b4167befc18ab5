/** @module `lambdalet runtimes`: installs and lists the AWS SDKs that Lambda's runtimes ship (the SDK pack). */
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { defineCommand } from "citty";
import { defaultDataDir } from "../config/mod.ts";
import {
  clientPackage,
  DEFAULT_SDK_CLIENTS,
  describeSdkPack,
  installNodeSdk,
  nodeSdkDir,
  SdkInstallError,
} from "../runtimes/mod.ts";
import { CliError, exitOnCliError } from "./client.ts";

const PYTHON_FIX =
  "apt-get install python3-boto3 (or: pip install boto3) for the interpreter the python runtimes use";

/** The host interpreter's boto3 version, or null when `python3` cannot import it. */
async function hostBoto3(): Promise<string | null> {
  const python = Bun.which("python3");
  if (!python) return null;
  const proc = Bun.spawn({
    cmd: [python, "-c", "import boto3; print(boto3.__version__)"],
    stdout: "pipe",
    stderr: "ignore",
  });
  const text = (await new Response(proc.stdout).text()).trim();
  return (await proc.exited) === 0 && text ? `boto3 ${text} (${python})` : null;
}

/** The data dir, made if missing, refused unless this user may write it (root or its owner). */
function writableDataDir(dataDir: string): string {
  const uid = process.getuid?.() ?? 0;
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o711 });
    chmodSync(dataDir, 0o711);
  }
  if (uid !== 0 && statSync(dataDir).uid !== uid) {
    throw new CliError(
      `Cannot install the SDK pack into ${dataDir}: it belongs to uid ${
        statSync(dataDir).uid
      }; run this as root (sudo lambdalet runtimes add-sdk ...) or as the data dir's owner`,
      252,
    );
  }
  return dataDir;
}

const dataDirArg = {
  type: "string",
  description: "The agent's data dir (default: $LAMBDALET_DATA_DIR or the default)",
} as const;

const addSdkCommand = defineCommand({
  meta: {
    name: "add-sdk",
    description: `Install the AWS SDK Lambda's runtimes include: nodejs (@aws-sdk/client-*, default: ${
      DEFAULT_SDK_CLIENTS.join(",")
    }) or python (checks boto3)`,
  },
  args: {
    runtime: { type: "positional", description: "nodejs or python", required: true },
    clients: { type: "string", description: "Comma-separated clients, e.g. lambda,s3,dynamodb" },
    force: { type: "boolean", description: "Reinstall even when the clients are there" },
    "data-dir": dataDirArg,
  },
  run: exitOnCliError(async ({ args }) => {
    if (args.runtime === "python") {
      const found = await hostBoto3();
      if (!found) throw new CliError(`The host's python3 cannot import boto3: ${PYTHON_FIX}`, 1);
      console.log(`python runtimes use the host interpreter's ${found}`);
      return;
    }
    if (args.runtime !== "nodejs") {
      throw new CliError(`Cannot add an SDK to '${args.runtime}': the runtime is nodejs or python`, 252);
    }
    let packages: string[];
    try {
      packages = (args.clients ? args.clients.split(",").filter(Boolean) : [...DEFAULT_SDK_CLIENTS]).map(
        clientPackage,
      );
    } catch (error) {
      throw new CliError(error instanceof Error ? error.message : String(error), 252);
    }
    const packDir = nodeSdkDir(writableDataDir(args["data-dir"] ?? defaultDataDir()));
    try {
      const result = await installNodeSdk(packDir, packages, { force: args.force ?? false });
      console.log(
        `${result.installed ? "installed" : "already installed"}: ${describeSdkPack(packDir)}`,
      );
    } catch (error) {
      if (error instanceof SdkInstallError) throw new CliError(error.message, 1);
      throw error;
    }
  }),
});

const listCommand = defineCommand({
  meta: { name: "list", description: "Show the SDKs installed for the runtimes" },
  args: { "data-dir": dataDirArg },
  run: exitOnCliError(async ({ args }) => {
    console.log(`nodejs: ${describeSdkPack(nodeSdkDir(args["data-dir"] ?? defaultDataDir()))}`);
    console.log(`python: ${(await hostBoto3()) ?? `boto3 not importable: ${PYTHON_FIX}`}`);
  }),
});

/** The runtimes command: `add-sdk` and `list`. */
export const runtimesCommand = defineCommand({
  meta: {
    name: "runtimes",
    description: "Install and list the AWS SDKs that functions find without bundling them",
  },
  subCommands: { "add-sdk": addSdkCommand, list: listCommand },
});
