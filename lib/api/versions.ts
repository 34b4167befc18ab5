/** @module PublishVersion and ListVersionsByFunction: `POST|GET /2015-03-31/functions/{F}/versions`. */
import type { Handler } from "hono";
import { PagingQuerySchema, parseInput, PublishVersionInputSchema } from "../config/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { renderConfiguration } from "./render.ts";
import { readInput, unqualifiedRefOf } from "./request.ts";

type Deps = Pick<ApiDeps, "functions" | "region" | "accountId" | "runtimes">;

/** Builds the PublishVersion handler: snapshots `$LATEST` (code and configuration) as version N. */
export function publishVersionHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const input = await readInput(c, PublishVersionInputSchema);
    const { config, version } = deps.functions.publish(name, input);
    return c.json(renderConfiguration(config, { ...deps, version }), 201);
  };
}

/** Builds the ListVersionsByFunction handler. */
export function listVersionsHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    const { name } = unqualifiedRefOf(c);
    const query = parseInput(PagingQuerySchema, c.req.query());
    const page = deps.functions.versions(name, query.Marker, query.MaxItems);
    return c.json({
      Versions: page.items.map((row) => renderConfiguration(row.config, { ...deps, version: row.version })),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
}
