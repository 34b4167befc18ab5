/** @module CreateFunction: `POST /2015-03-31/functions`. */
import type { Handler } from "hono";
import { configFromCreate, CreateFunctionInputSchema } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { FunctionExistsError } from "../store/mod.ts";
import { withStoredZip } from "./code-upload.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { checkRunnable } from "./isolation-check.ts";
import { startPinned } from "./pinned.ts";
import { renderConfiguration } from "./render.ts";
import { readInput } from "./request.ts";

/** Builds the CreateFunction handler. */
export function createFunctionHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const input = await readInput(c, CreateFunctionInputSchema);
    if (deps.store.functions.exists(input.FunctionName)) throw conflict(input.FunctionName);
    const { config, published } = await withStoredZip(deps, input.Code.ZipFile, (stored) => {
      const config = configFromCreate(input, stored, deps.defaults);
      checkRunnable(deps, config);
      try {
        deps.store.functions.create(config, input.Tags);
      } catch (error) {
        if (error instanceof FunctionExistsError) throw conflict(input.FunctionName);
        throw error;
      }
      const published = input.Publish
        ? deps.store.functions.publish(config.functionName, undefined, () => {})
        : null;
      return { config, published };
    });
    void startPinned(deps, config.functionName);
    if (!published) return c.json(renderConfiguration(config, deps), 201);
    return c.json(renderConfiguration(published.config, { ...deps, version: published.version }), 201);
  };
}

function conflict(name: string): LambdaError {
  return new LambdaError("ResourceConflictException", `Function already exist: ${name}`);
}
