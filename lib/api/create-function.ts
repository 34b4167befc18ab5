/** @module CreateFunction: `POST /2015-03-31/functions`. */
import type { Handler } from "hono";
import { CreateFunctionInputSchema } from "../config/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { renderConfiguration } from "./render.ts";
import { readInput } from "./request.ts";

/** Builds the CreateFunction handler. */
export function createFunctionHandler(
  deps: Pick<ApiDeps, "functions" | "region" | "accountId" | "runtimes">,
): Handler<ApiEnv> {
  return async (c) => {
    const input = await readInput(c, CreateFunctionInputSchema);
    const { config, version } = await deps.functions.create(input);
    return c.json(renderConfiguration(config, { ...deps, version }), 201);
  };
}
