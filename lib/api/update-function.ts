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
import { withStoredZip } from "./code-upload.ts";
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
    if (input.DryRun) {
      // its code is collected once the answer is made, unless something uses it
      const preview = await withStoredZip(
        deps,
        input.ZipFile,
        (stored) => applyCodeUpdate(deps.store.functions.getVersion(name)!, stored),
      );
      return c.json(renderConfiguration(preview, deps));
    }
    // once saved, the old code of `$LATEST` is collected unless something else uses it
    const { config, published } = await withStoredZip(deps, input.ZipFile, (stored) => {
      const config = deps.store.functions.updateLatest(
        name,
        (current) => applyCodeUpdate(current, stored),
        input.RevisionId,
      );
      deps.scheduler.retire(name, LATEST);
      const published = input.Publish ? deps.store.functions.publish(name, undefined, () => {}) : null;
      return { config, published };
    });
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
