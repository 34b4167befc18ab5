/** @module Create/Get/Update/Delete FunctionUrlConfig and ListFunctionUrlConfigs: `/2021-10-31/functions/{F}/url(s)`. */
import type { Context, Handler } from "hono";
import {
  CreateFunctionUrlInputSchema,
  PagingQuerySchema,
  parseInput,
  UpdateFunctionUrlInputSchema,
} from "../config/mod.ts";
import { functionArn } from "../functions/mod.ts";
import { functionUrlAddresses } from "../http-triggers/mod.ts";
import type { FunctionUrlRecord } from "../store/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { functionRefOf, readInput, unqualifiedRefOf } from "./request.ts";

type Deps = Pick<ApiDeps, "functionUrls" | "region" | "accountId">;

/** A `FunctionUrlConfig` as Lambda answers it, its address built from the origin the client called. */
function render(
  deps: Deps,
  c: Context<ApiEnv>,
  url: FunctionUrlRecord,
  created = false,
): Record<string, unknown> {
  const addresses = functionUrlAddresses(url.urlId, new URL(c.req.url).origin, deps.region);
  return {
    FunctionUrl: addresses.host,
    FunctionArn: functionArn(deps.region, deps.accountId, url.functionName, url.qualifier || undefined),
    AuthType: url.authType,
    ...(url.cors ? { Cors: url.cors } : {}),
    CreationTime: url.createdAt,
    ...(created ? {} : { LastModifiedTime: url.lastModifiedAt }),
    InvokeMode: url.invokeMode,
    EdgePathUrl: addresses.path,
  };
}

/** Builds the CreateFunctionUrlConfig handler. */
export function createFunctionUrlHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const ref = functionRefOf(c);
    const input = await readInput(c, CreateFunctionUrlInputSchema);
    return c.json(render(deps, c, deps.functionUrls.create(ref, input), true), 201);
  };
}

/** Builds the GetFunctionUrlConfig handler. */
export function getFunctionUrlHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => c.json(render(deps, c, deps.functionUrls.get(functionRefOf(c))));
}

/** Builds the UpdateFunctionUrlConfig handler. */
export function updateFunctionUrlHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const ref = functionRefOf(c);
    const input = await readInput(c, UpdateFunctionUrlInputSchema);
    return c.json(render(deps, c, deps.functionUrls.update(ref, input)));
  };
}

/** Builds the DeleteFunctionUrlConfig handler. */
export function deleteFunctionUrlHandler(deps: Pick<ApiDeps, "functionUrls">): Handler<ApiEnv> {
  return (c) => {
    deps.functionUrls.delete(functionRefOf(c));
    return c.body(null, 204);
  };
}

/** Builds the ListFunctionUrlConfigs handler. */
export function listFunctionUrlsHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    const { name } = unqualifiedRefOf(c);
    const query = parseInput(PagingQuerySchema, c.req.query());
    const page = deps.functionUrls.list(name, query.Marker, query.MaxItems);
    return c.json({
      FunctionUrlConfigs: page.items.map((url) => render(deps, c, url)),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
}
