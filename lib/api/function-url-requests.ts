/** @module Hands requests to function URLs (by host name or `/url/<url-id>/`) to lib/http-triggers. */
import type { MiddlewareHandler } from "hono";
import type { Server } from "bun";
import { mayBeFunctionUrlHost, serveFunctionUrl, URL_PATH_PREFIX } from "../http-triggers/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";

/** The caller's address, from the Bun server the agent passes as the app's environment (loopback in memory). */
export function sourceIpOf(env: unknown, request: Request): string {
  const server = (env as { server?: Server<unknown> } | undefined)?.server;
  return server?.requestIP(request)?.address ?? "127.0.0.1";
}

/** Serves function URL requests; every other request goes on to the API. */
export function functionUrlMiddleware(
  deps: Pick<ApiDeps, "functionUrls" | "invocations" | "keyring" | "region" | "accountId">,
): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    // most requests are the API's: a host name or path that cannot be a function URL's skips the rest
    if (!mayBeFunctionUrlHost(c.req.header("host") ?? c.req.url) && !c.req.path.startsWith(URL_PATH_PREFIX)) {
      return await next();
    }
    const response = await serveFunctionUrl(deps, c.req.raw, {
      requestId: c.get("requestId"),
      sourceIp: sourceIpOf(c.env, c.req.raw),
    });
    if (!response) return await next();
    c.res = response;
  };
}
