/** @module UpdateFunctionCode and UpdateFunctionConfiguration: `PUT /2015-03-31/functions/{F}/code|configuration`. */
import type { Handler } from "hono";
import { UpdateFunctionCodeInputSchema, UpdateFunctionConfigurationInputSchema } from "../config/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { renderConfiguration } from "./render.ts";
import { readInput, unqualifiedRefOf } from "./request.ts";

type Deps = Pick<ApiDeps, "functions" | "region" | "accountId" | "runtimes">;

/** Builds the UpdateFunctionCode handler (`ZipFile`, `Publish`, `DryRun`, `RevisionId`). */
export function updateFunctionCodeHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const input = await readInput(c, UpdateFunctionCodeInputSchema);
    const { config, version } = await deps.functions.updateCode(name, input);
    return c.json(renderConfiguration(config, { ...deps, version }));
  };
}

/** Builds the UpdateFunctionConfiguration handler. */
export function updateFunctionConfigurationHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const input = await readInput(c, UpdateFunctionConfigurationInputSchema);
    return c.json(renderConfiguration(await deps.functions.updateConfiguration(name, input), deps));
  };
}
