/** @module Hands requests to API Gateway REST routes (under the prefix, or on the routes' own port) to lib/http-triggers. */
import { Hono, type MiddlewareHandler } from "hono";
import { pathBelowPrefix, serveRestRoute } from "../http-triggers/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { sourceIpOf } from "./function-url-requests.ts";

type RouteDeps = Pick<ApiDeps, "httpRoutes" | "invocations" | "keyring" | "region" | "accountId">;

/** Serves the requests under the routes' prefix (`/api/items/42` is the route path `/items/42`); others go on. */
export function restRouteMiddleware(deps: RouteDeps): MiddlewareHandler<ApiEnv> {
  const routeDeps = { ...deps, routes: deps.httpRoutes.routes };
  return async (c, next) => {
    // the decoded path is under the prefix whenever the path as sent is: it rules out most requests for less
    if (pathBelowPrefix(c.req.path, deps.httpRoutes.prefix) === null) return await next();
    const path = pathBelowPrefix(new URL(c.req.url).pathname, deps.httpRoutes.prefix);
    if (path === null) return await next();
    c.res = await serveRestRoute(routeDeps, c.req.raw, {
      requestId: c.get("requestId"),
      sourceIp: sourceIpOf(c.env, c.req.raw),
      path,
    });
  };
}

/**
 * The app of the routes' own port (`httpRoutes.port`): every path is a route path, as `sam local start-api` serves
 * them; nothing of the Lambda API answers there.
 */
export function createRestRouteApp(deps: RouteDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const routeDeps = { ...deps, routes: deps.httpRoutes.routes };
  app.all("*", async (c) => {
    const requestId = crypto.randomUUID();
    const response = await serveRestRoute(routeDeps, c.req.raw, {
      requestId,
      sourceIp: sourceIpOf(c.env, c.req.raw),
      path: new URL(c.req.url).pathname,
    });
    response.headers.set("x-amzn-RequestId", requestId);
    return response;
  });
  return app;
}
