/** @module `lambdalet deploy -f FILE` and `lambdalet deployments list|get|rollback`. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defineCommand } from "citty";
import { callApi, CliError, exitOnCliError, resolveEndpoint } from "./client.ts";
import { commonArgs, outputFormatOf } from "./common-args.ts";
import { operationCommand } from "./operation-command.ts";
import { printResult } from "./output.ts";

/** Reads a deployment document (YAML or JSON) and inlines each `Code.ZipFilePath` (relative to it) as base64. */
export function readDeploymentDocument(path: string): unknown {
  let document: unknown;
  try {
    document = Bun.YAML.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CliError(
      `Cannot read the deployment document ${path}: ${error instanceof Error ? error.message : error}`,
      252,
    );
  }
  const functions = (document as { functions?: unknown })?.functions;
  if (!Array.isArray(functions)) return document;
  for (const fn of functions as { Code?: Record<string, unknown> }[]) {
    const zipPath = fn?.Code?.ZipFilePath;
    if (typeof zipPath !== "string") continue;
    const full = resolve(dirname(path), zipPath);
    try {
      fn.Code = { ZipFile: readFileSync(full).toString("base64") };
    } catch (error) {
      throw new CliError(
        `Cannot read ${full} (Code.ZipFilePath): ${error instanceof Error ? error.message : error}`,
        252,
      );
    }
  }
  return document;
}

/** The deploy command. */
export const deployCommand = defineCommand({
  meta: {
    name: "deploy",
    description: "Apply a deployment document (YAML or JSON) as a whole, with rollback",
  },
  args: {
    file: { type: "string", alias: "f", required: true, description: "The deployment document" },
    ...commonArgs,
  },
  run: exitOnCliError(async ({ args }) => {
    const endpoint = resolveEndpoint(args["endpoint-url"]);
    const response = await callApi(endpoint, {
      operation: "CreateDeployment",
      method: "POST",
      path: "/lambdalet/v1/deployments",
      body: JSON.stringify(readDeploymentDocument(args.file)),
      headers: { "Content-Type": "application/json" },
    });
    const record = await response.json() as { Status: string; Warnings?: string[] };
    for (const warning of record.Warnings ?? []) console.error(`Warning: ${warning}`);
    printResult(record, outputFormatOf(args.output));
    if (record.Status !== "COMPLETED") process.exit(1);
  }),
});

/** The deployments command. */
export const deploymentsCommand = defineCommand({
  meta: { name: "deployments", description: "Deployment history and rollback" },
  subCommands: {
    list: operationCommand({
      name: "list",
      description: "List deployments, newest first",
      operation: "ListDeployments",
      args: {},
      request: () => ({ method: "GET", path: "/lambdalet/v1/deployments" }),
    }),
    get: operationCommand({
      name: "get",
      description: "Show one deployment, with each function's status and the error",
      operation: "GetDeployment",
      args: { id: { type: "positional", required: true, description: "The deployment id" } },
      request: (args) => ({
        method: "GET",
        path: `/lambdalet/v1/deployments/${encodeURIComponent(args.id)}`,
      }),
    }),
    rollback: operationCommand({
      name: "rollback",
      description: "Return to the state before the latest completed deployment",
      operation: "RollbackDeployment",
      args: {},
      request: () => ({ method: "POST", path: "/lambdalet/v1/deployments/rollback" }),
    }),
  },
});
