/** @module Deployments: a whole set of functions applied together, verified, and rolled back on failure. */
import type { Handler } from "hono";
import {
  configFromCreate,
  type DeploymentDocument,
  DeploymentDocumentSchema,
  type FunctionConfig,
  lambdaTimestamp,
} from "../config/mod.ts";
import type { CodeLease } from "../code/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { type DeployedFunction, type DeploymentRecord, type DeploymentStatus, LATEST } from "../store/mod.ts";
import { storeZip } from "./code-upload.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { checkRunnable } from "./isolation-check.ts";
import { startPinned } from "./pinned.ts";
import { readInput } from "./request.ts";

type DesiredState = Record<string, DeployedFunction | null>;

let running: Promise<unknown> = Promise.resolve();

/** Runs deployments one at a time. */
function serialized<T>(work: () => Promise<T>): Promise<T> {
  const next = running.then(work, work);
  running = next.catch(() => {});
  return next;
}

/** The current `$LATEST` and tags of each named function, or null where it does not exist. */
function snapshot(deps: ApiDeps, names: Iterable<string>): DesiredState {
  const state: DesiredState = {};
  for (const name of names) {
    const config = deps.store.functions.getVersion(name, LATEST);
    state[name] = config ? { config, tags: deps.store.functions.getTags(name) ?? {} } : null;
  }
  return state;
}

/**
 * Writes a desired state in one transaction: the database never holds half of it. Removals can wait
 * (`removals: false`) until the deployment is verified, so that a rollback never has to bring back a deleted
 * function's versions and aliases.
 */
function writeState(deps: ApiDeps, state: DesiredState, removals = true): void {
  deps.store.db.transaction(() => {
    for (const [name, wanted] of Object.entries(state)) {
      if (wanted) deps.store.functions.putLatest(wanted.config, wanted.tags);
      else if (removals) deps.store.functions.deleteFunction(name);
    }
  })();
  for (const [name, wanted] of Object.entries(state)) if (wanted || removals) deps.scheduler.retire(name);
}

/** Deletes the functions a verified state removes. */
function writeRemovals(deps: ApiDeps, state: DesiredState): void {
  const removed = Object.entries(state).filter(([, wanted]) => !wanted).map(([name]) => name);
  deps.store.db.transaction(() => removed.forEach((name) => deps.store.functions.deleteFunction(name)))();
  removed.forEach((name) => deps.scheduler.retire(name));
}

/** Starts every pinned worker of the state and reports, per function, whether it reached its first `next`. */
async function verify(deps: ApiDeps, state: DesiredState): Promise<Record<string, string>> {
  const status: Record<string, string> = {};
  await Promise.all(
    Object.entries(state).map(async ([name, wanted]) => {
      if (!wanted) {
        status[name] = "REMOVED";
        return;
      }
      if (!wanted.config.edge.pinned) {
        status[name] = "APPLIED";
        return;
      }
      const states = await startPinned(deps, name);
      const failed = states.find((state) => state !== "ready");
      const error = deps.scheduler.statusOf(name, LATEST)?.lastError;
      status[name] = failed ? `FAILED: pinned worker ${failed}${error ? ` (${error})` : ""}` : "STARTED";
    }),
  );
  return status;
}

/**
 * Applies `desired` as one deployment: records it, writes it in one transaction, starts and checks the pinned
 * workers; on failure returns to the previous state (`ROLLBACK`) or leaves it (`DO_NOTHING`).
 */
export function applyDeployment(
  deps: ApiDeps,
  want: DesiredState | (() => Promise<DesiredState>),
  policy: DeploymentRecord["policy"],
): Promise<DeploymentRecord> {
  return serialized<DeploymentRecord>(async () => {
    // worked out inside the queue: it depends on the latest completed deployment
    const desired = typeof want === "function" ? await want() : want;
    const record: DeploymentRecord = {
      id: crypto.randomUUID(),
      createdAt: new Date().toISOString(),
      status: "IN_PROGRESS",
      policy,
      functions: desired,
      previous: snapshot(deps, Object.keys(desired)),
      error: null,
      functionStatus: {},
    };
    deps.store.deployments.insert(record);
    let functionStatus: Record<string, string>;
    let error: string;
    try {
      writeState(deps, desired, false);
      functionStatus = await verify(deps, desired);
      const failures = Object.entries(functionStatus).filter(([, status]) => status.startsWith("FAILED"));
      if (!failures.length) {
        writeRemovals(deps, desired);
        deps.store.deployments.finish(record.id, "COMPLETED", null, functionStatus);
        return { ...record, status: "COMPLETED", functionStatus };
      }
      error = failures.map(([name, status]) => `${name}: ${status}`).join("; ");
    } catch (failure) {
      functionStatus = {};
      error = `the agent failed while applying it: ${failure instanceof Error ? failure.message : failure}`;
    }
    let status: DeploymentStatus = "FAILED";
    if (policy === "ROLLBACK") {
      writeState(deps, record.previous);
      await verify(deps, record.previous);
      for (const name of Object.keys(functionStatus)) {
        if (!functionStatus[name]!.startsWith("FAILED")) functionStatus[name] = "ROLLED_BACK";
      }
      status = "ROLLED_BACK";
    }
    deps.store.deployments.finish(record.id, status, error, functionStatus);
    return { ...record, status, error, functionStatus };
  }).finally(() => deps.code.collectSoon()); // what it replaced (or failed to apply) may be used no more
}

/** Finishes deployments a stopped agent left under way: rolled back (ROLLBACK) or marked failed (DO_NOTHING). */
export function recoverInterruptedDeployments(deps: ApiDeps): void {
  const lastCompleted = deps.store.deployments.latestCompleted()?.createdAt ?? "";
  for (const record of deps.store.deployments.interrupted()) {
    const error = "interrupted: the agent stopped during the deployment";
    // only an unfinished deployment newer than the last completed one can have changed what is live now
    if (record.policy === "ROLLBACK" && record.createdAt > lastCompleted) {
      writeState(deps, record.previous);
      deps.store.deployments.finish(record.id, "ROLLED_BACK", error, record.functionStatus);
    } else {
      deps.store.deployments.finish(record.id, "FAILED", error, record.functionStatus);
    }
  }
}

/**
 * Turns a document into the state it asks for: its functions, and the removal of those the last one had. Its code
 * is held by `lease` until the deployment's record names it.
 */
async function desiredState(
  deps: ApiDeps,
  document: DeploymentDocument,
  lease: CodeLease,
): Promise<DesiredState> {
  const desired: DesiredState = {};
  for (const fn of document.functions) {
    let code: { sha256: string; size: number };
    if ("ZipFile" in fn.Code) {
      code = await storeZip(deps, fn.Code.ZipFile, lease);
    } else {
      lease.hold(fn.Code.Sha256);
      const zip = deps.store.code.get(fn.Code.Sha256);
      if (!zip) {
        throw new LambdaError(
          "InvalidParameterValueException",
          `${fn.FunctionName}: no code stored with SHA-256 ${fn.Code.Sha256}`,
        );
      }
      code = { sha256: fn.Code.Sha256, size: zip.byteLength };
    }
    const config: FunctionConfig = {
      ...configFromCreate({ ...fn, Code: { ZipFile: "" } }, code, deps.defaults),
    };
    checkRunnable(deps, config);
    desired[fn.FunctionName] = { config: { ...config, lastModified: lambdaTimestamp() }, tags: fn.Tags };
  }
  const last = deps.store.deployments.latestCompleted();
  for (const name of Object.keys(last?.functions ?? {})) {
    if (!(name in desired) && last?.functions[name]) desired[name] = null;
  }
  return desired;
}

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

/** Builds the handler of `POST /lambdalet/v1/deployments`. */
export function createDeploymentHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const document = await readInput(c, DeploymentDocumentSchema);
    const lease = deps.code.lease();
    try {
      const record = await applyDeployment(
        deps,
        () => desiredState(deps, document, lease),
        document.failureHandlingPolicy,
      );
      return c.json(renderDeployment(record), record.status === "COMPLETED" ? 201 : 200);
    } finally {
      lease.release();
    }
  };
}

/** Builds the handler that lists deployments, newest first. */
export function listDeploymentsHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => c.json({ Deployments: deps.store.deployments.list().map(renderDeployment) });
}

/** Builds the handler that shows one deployment. */
export function getDeploymentHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const record = deps.store.deployments.get(c.req.param("id") ?? "");
    if (!record) {
      throw new LambdaError("ResourceNotFoundException", `Deployment not found: ${c.req.param("id")}`);
    }
    return c.json(renderDeployment(record));
  };
}

/** Builds the handler that returns to the state before the latest completed deployment. */
export function rollbackDeploymentHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const last = deps.store.deployments.latestCompleted();
    if (!last) {
      throw new LambdaError("ResourceNotFoundException", "There is no completed deployment to roll back");
    }
    const record = await applyDeployment(deps, last.previous, "ROLLBACK");
    return c.json(renderDeployment(record), record.status === "COMPLETED" ? 201 : 200);
  };
}
