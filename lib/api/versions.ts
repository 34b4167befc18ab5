/** @module PublishVersion and ListVersionsByFunction: `POST|GET /2015-03-31/functions/{F}/versions`. */
import type { Handler } from "hono";
import { hexToBase64 } from "../code/mod.ts";
import { PagingQuerySchema, parseInput, PublishVersionInputSchema } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { RevisionMismatchError } from "../store/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { startPinned } from "./pinned.ts";
import { renderConfiguration } from "./render.ts";
import { readInput, unqualifiedRefOf } from "./request.ts";
import { requireFunction } from "./resolve.ts";

/** Builds the PublishVersion handler: snapshots `$LATEST` (code and configuration) as version N. */
export function publishVersionHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const input = await readInput(c, PublishVersionInputSchema);
    requireFunction(deps, name);
    const published = deps.store.functions.publish(name, input.Description, (latest) => {
      if (input.RevisionId !== undefined && input.RevisionId !== latest.revisionId) {
        throw new RevisionMismatchError();
      }
      const current = hexToBase64(latest.codeSha256);
      if (input.CodeSha256 !== undefined && input.CodeSha256 !== current) {
        throw new LambdaError(
          "InvalidParameterValueException",
          `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`,
        );
      }
    });
    void startPinned(deps, name);
    return c.json(renderConfiguration(published.config, { ...deps, version: published.version }), 201);
  };
}

/** Builds the ListVersionsByFunction handler. */
export function listVersionsHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const { name } = unqualifiedRefOf(c);
    const query = parseInput(PagingQuerySchema, c.req.query());
    requireFunction(deps, name);
    const page = deps.store.functions.listVersions(name, query.Marker, query.MaxItems);
    return c.json({
      Versions: page.items.map((row) => renderConfiguration(row.config, { ...deps, version: row.version })),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
}
