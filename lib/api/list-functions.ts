/** @module ListFunctions: `GET /2015-03-31/functions?Marker&MaxItems&FunctionVersion=ALL`. */
import type { Handler } from "hono";
import * as v from "valibot";
import { PagingQuerySchema, parseInput } from "../config/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { renderConfiguration } from "./render.ts";

const ListFunctionsQuerySchema = v.object({
  ...PagingQuerySchema.entries,
  FunctionVersion: v.optional(v.picklist(["ALL"], "Member must satisfy enum value set: [ALL]")),
});

/** Builds the ListFunctions handler. */
export function listFunctionsHandler(
  deps: Pick<ApiDeps, "functions" | "region" | "accountId" | "runtimes">,
): Handler<ApiEnv> {
  return (c) => {
    const query = parseInput(ListFunctionsQuerySchema, c.req.query());
    const page = deps.functions.list(query.Marker, query.MaxItems, query.FunctionVersion === "ALL");
    return c.json({
      Functions: page.items.map((row) =>
        renderConfiguration(row.config, {
          ...deps,
          version: row.version,
          status: deps.functions.status(row.config.functionName, row.version),
        })
      ),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
}
