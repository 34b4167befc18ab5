/** @module lambdalet's deployments: `/lambdalet/v1/deployments` (apply a document, list, show, roll back). */
import type { Handler } from "hono";
import { DeploymentDocumentSchema } from "../config/mod.ts";
import type { DeploymentRecord } from "../store/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { readInput } from "./request.ts";

type Deps = Pick<ApiDeps, "deployments">;

/** Renders a deployment for the API and CLI. */
export function renderDeployment(record: DeploymentRecord): Record<string, unknown> {
  return {
    DeploymentId: record.id,
    CreatedAt: record.createdAt,
    Status: record.status,
    FailureHandlingPolicy: record.policy,
    ...(record.error ? { Error: record.error } : {}),
    Functions: Object.fromEntries(
      Object.keys(record.functions).map((name) => [name, record.functionStatus[name] ?? "PENDING"]),
    ),
  };
}

/**
 * Builds the handler of `POST /lambdalet/v1/deployments`: it answers when the deployment has ended, or with
 * `?wait=false` as soon as it is recorded (202, `IN_PROGRESS`; its id to poll with `GET …/deployments/{id}`). A
 * document refused before that (bad input, unknown code, route conflicts) is an error either way.
 */
export function createDeploymentHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const document = await readInput(c, DeploymentDocumentSchema);
    if (c.req.query("wait") === "false") {
      const recorded = Promise.withResolvers<DeploymentRecord & { warnings: string[] }>();
      const finished = deps.deployments.deploy(document, { onRecorded: recorded.resolve });
      // the first to settle: recorded, or refused (its error answers); the rest runs on, its end in the record
      const record = await Promise.race([recorded.promise, finished]);
      const rendered = renderDeployment(record);
      if (record.warnings.length) rendered.Warnings = record.warnings;
      return c.json(
        rendered,
        record.status === "IN_PROGRESS" ? 202 : record.status === "COMPLETED" ? 201 : 200,
      );
    }
    const record = await deps.deployments.deploy(document);
    const rendered = renderDeployment(record);
    // what its Greengrass components say that is not applied
    if (record.warnings.length) rendered.Warnings = record.warnings;
    return c.json(rendered, record.status === "COMPLETED" ? 201 : 200);
  };
}

/** Builds the handler that lists deployments, newest first. */
export function listDeploymentsHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => c.json({ Deployments: deps.deployments.list().map(renderDeployment) });
}

/** Builds the handler that shows one deployment. */
export function getDeploymentHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => c.json(renderDeployment(deps.deployments.get(c.req.param("id") ?? "")));
}

/** Builds the handler that returns to the state before the latest completed deployment. */
export function rollbackDeploymentHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const record = await deps.deployments.rollback();
    return c.json(renderDeployment(record), record.status === "COMPLETED" ? 201 : 200);
  };
}
