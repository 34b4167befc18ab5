/**
 * @module Invoke's own way in, ahead of the doors that never serve it (function URLs by host, REST routes under
 * their prefix, Greengrass IPC): the same signature check, scope rule, size limit and handler, without the rest of
 * the chain. A request it cannot tell apart from one of those doors goes on through the chain as before.
 */
import type { Handler } from "hono";
import { verifySignature } from "../auth/mod.ts";
import { MAX_SYNC_PAYLOAD_BYTES } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { mayBeFunctionUrlHost, pathBelowPrefix } from "../http-triggers/mod.ts";
import { checkMayInvoke } from "./auth.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { invokeWithBody } from "./invoke.ts";

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** The error for an Invoke body past Lambda's synchronous limit. */
export function invokeTooLarge(): LambdaError {
  return new LambdaError(
    "RequestTooLargeException",
    `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
  );
}

/**
 * The handler of `POST /2015-03-31/functions/:name/invocations` registered before the middlewares: it serves the
 * request as the chain would (signature, then scope, then size, then Invoke), or calls `next` for a request that
 * may be on a function URL host name, or under the REST routes' prefix.
 */
export function invokeFastPath(
  deps: Pick<ApiDeps, "invocations" | "region" | "accountId" | "keyring" | "httpRoutes">,
): Handler<ApiEnv> {
  return async (c, next) => {
    const invoked = INVOKE.exec(c.req.path)?.[1];
    if (
      invoked === undefined || mayBeFunctionUrlHost(c.req.header("host") ?? c.req.url) ||
      pathBelowPrefix(c.req.path, deps.httpRoutes.prefix) !== null
    ) {
      return await next();
    }
    c.set("principal", null);
    const verified = await verifySignature(c.req.raw, { keyring: deps.keyring, region: deps.region });
    const principal = verified?.principal ?? null;
    c.set("principal", principal);
    checkMayInvoke(deps, principal, invoked);
    let body = verified?.body ?? null;
    if (body === null) {
      const length = c.req.header("content-length");
      if (length !== undefined && parseInt(length, 10) > MAX_SYNC_PAYLOAD_BYTES) throw invokeTooLarge();
      body = new Uint8Array(await c.req.arrayBuffer());
    }
    if (body.byteLength > MAX_SYNC_PAYLOAD_BYTES) throw invokeTooLarge();
    return await invokeWithBody(c, deps, body);
  };
}
