/** @module UpdateFunctionCode and UpdateFunctionConfiguration: `PUT /2015-03-31/functions/{F}/code|configuration`. */
import type { Handler } from "hono";
import {
  applyCodeUpdate,
  applyConfigurationUpdate,
  UpdateFunctionCodeInputSchema,
  UpdateFunctionConfigurationInputSchema,
} from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { LATEST } from "../store/mod.ts";
import { storeZip } from "./code-upload.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { checkRunnable } from "./isolation-check.ts";
import { startPinned } from "./pinned.ts";
import { renderConfiguration } from "./render.ts";
import { readInput, unqualifiedRefOf } from "./request.ts";
import { requireFunction } from "./resolve.ts";

/** Builds the UpdateFunctionCode handler (`ZipFile`, `Publish`, `DryRun`, `RevisionId`). */
export function updateFunctionCodeHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const input = await readInput(c, UpdateFunctionCodeInputSchema);
    requireFunction(deps, name);
    if (input.ZipFile === undefined) {
      throw new LambdaError(
        "InvalidParameterValueException",
        "Please provide a source for function code: ZipFile",
      );
    }
    const stored = await storeZip(deps, input.ZipFile);
    if (input.DryRun) {
      const current = deps.store.functions.getVersion(name)!;
      return c.json(renderConfiguration(applyCodeUpdate(current, stored), deps));
    }
    const config = deps.store.functions.updateLatest(
      name,
      (current) => applyCodeUpdate(current, stored),
      input.RevisionId,
    );
    deps.scheduler.retire(name, LATEST);
    const published = input.Publish ? deps.store.functions.publish(name, undefined, () => {}) : null;
    void startPinned(deps, name);
    if (!published) return c.json(renderConfiguration(config, deps));
    return c.json(renderConfiguration(published.config, { ...deps, version: published.version }));
  };
}

/** Builds the UpdateFunctionConfiguration handler. */
export function updateFunctionConfigurationHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const input = await readInput(c, UpdateFunctionConfigurationInputSchema);
    requireFunction(deps, name);
    const config = deps.store.functions.updateLatest(
      name,
      (current) => {
        const next = applyConfigurationUpdate(current, input);
        checkRunnable(deps, next);
        return next;
      },
      input.RevisionId,
    );
    deps.scheduler.retire(name, LATEST);
    void startPinned(deps, name);
    return c.json(renderConfiguration(config, deps));
  };
}
