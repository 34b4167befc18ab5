/** @module `POST /lambdalet/v1/import/greengrass`: a Greengrass v2 Lambda component as a function, version and alias. */
import type { Handler } from "hono";
import { GreengrassImportInputSchema } from "../config/mod.ts";
import { functionArn } from "../functions/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { renderConfiguration } from "./render.ts";
import { readInput } from "./request.ts";

/** The path of the import. */
export const IMPORT_GREENGRASS_PATH = "/lambdalet/v1/import/greengrass";

/**
 * Builds the import handler: answers 201 with the function, its new version, the alias of the component version,
 * the configuration and `Warnings` (every field of the component that was not applied, and why).
 */
export function importGreengrassHandler(
  deps: Pick<ApiDeps, "greengrass" | "region" | "accountId" | "runtimes">,
): Handler<ApiEnv> {
  return async (c) => {
    const imported = await deps.greengrass.import(await readInput(c, GreengrassImportInputSchema));
    const { mapped, version, config, alias } = imported;
    return c.json({
      FunctionName: mapped.functionName,
      Version: version,
      ComponentVersion: mapped.componentVersion,
      AliasName: alias.name,
      AliasArn: functionArn(deps.region, deps.accountId, mapped.functionName, alias.name),
      Created: imported.created,
      Configuration: renderConfiguration(config, { ...deps, version }),
      Warnings: mapped.warnings,
    }, 201);
  };
}
