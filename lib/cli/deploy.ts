/** @module `lambdalet deploy -f FILE` and `lambdalet deployments list|get|rollback`. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defineCommand } from "citty";
import { callApi, CliError, exitOnCliError, resolveEndpoint } from "./client.ts";
import { commonArgs, outputFormatOf } from "./common-args.ts";
import { operationCommand } from "./operation-command.ts";
import { printResult } from "./output.ts";
import { ProgressLine } from "./progress.ts";

/** How often `deploy` asks how a deployment it follows is getting on, in ms. */
const POLL_INTERVAL_MS = 250;

/** A deployment as the API renders it. */
interface RenderedDeployment {
  DeploymentId: string;
  Status: string;
  Functions?: Record<string, string>;
  Warnings?: string[];
}

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
    const progress = new ProgressLine();
    // on a terminal: answered once recorded, then followed function by function; else answered at the end
    const response = await callApi(endpoint, {
      operation: "CreateDeployment",
      method: "POST",
      path: `/lambdalet/v1/deployments${progress.active ? "?wait=false" : ""}`,
      body: JSON.stringify(readDeploymentDocument(args.file)),
      headers: { "Content-Type": "application/json" },
    });
    let record = await response.json() as RenderedDeployment;
    for (const warning of record.Warnings ?? []) console.error(`Warning: ${warning}`);
    if (record.Status === "IN_PROGRESS") record = await followDeployment(endpoint, record, progress);
    printResult(record, outputFormatOf(args.output));
    if (record.Status !== "COMPLETED") process.exit(1);
  }),
});

/**
 * Polls `GET /lambdalet/v1/deployments/{id}` until the deployment has ended, printing each function's step as it
 * changes (`CREATED`/`UPDATED` when written, `APPLIED` when verified, `STARTED` once its pinned worker runs) above a
 * line counting those done; returns the final record (with the warnings the first answer carried).
 */
async function followDeployment(
  endpoint: string,
  first: RenderedDeployment,
  progress: ProgressLine,
): Promise<RenderedDeployment> {
  const shown = new Map<string, string>();
  const names = Object.keys(first.Functions ?? {});
  let record = first;
  for (;;) {
    const functions = record.Functions ?? {};
    for (const name of names) {
      const status = functions[name] ?? "PENDING";
      if (status === "PENDING" || shown.get(name) === status) continue;
      shown.set(name, status);
      progress.note(`  ${name}: ${status}`);
    }
    if (record.Status !== "IN_PROGRESS") break;
    const done = names.filter((name) => /^(APPLIED|STARTED|REMOVED|FAILED)/.test(functions[name] ?? ""));
    progress.update(
      `Deploying ${record.DeploymentId}: ${done.length}/${names.length} function(s) verified`,
      true,
    );
    await Bun.sleep(POLL_INTERVAL_MS);
    const response = await callApi(endpoint, {
      operation: "GetDeployment",
      method: "GET",
      path: `/lambdalet/v1/deployments/${encodeURIComponent(record.DeploymentId)}`,
    });
    record = await response.json() as RenderedDeployment;
  }
  progress.done(`Deployment ${record.DeploymentId}: ${record.Status}`);
  return first.Warnings ? { ...record, Warnings: first.Warnings } : record;
}

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
