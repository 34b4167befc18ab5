/** @module Who may call which operation: every request's signature checked, then its key's scope. */
import type { MiddlewareHandler } from "hono";
import { mayInvoke, mayReadMetrics, type Principal, verifySignature } from "../auth/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { functionArn, parseFunctionRef } from "../functions/mod.ts";
import { isDashboardPath } from "../dashboard/mod.ts";
import { AWS_CREDENTIALS_PATH } from "./aws-credentials.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { decodePathPart } from "./request.ts";
import { isLoopbackAddress, METRICS_PATH, peerAddressOf } from "./metrics.ts";
import { isPublishPath, mayPublish, topicOfUrl } from "./publish.ts";

/** Invoke and InvokeWithResponseStream, by path: the same rules let a caller run a function either way. */
const INVOKE_PATH =
  /^\/(?:2015-03-31\/functions\/([^/]+)\/invocations|2021-11-15\/functions\/([^/]+)\/response-streaming-invocations)\/?$/;
/** Paths anyone may call: they tell nothing but that the agent is up. */
const OPEN_PATHS = new Set(["/healthz"]);

/** The error for a request that carries no signature where one is needed. */
export function missingAuthentication(): LambdaError {
  return new LambdaError(
    "MissingAuthenticationTokenException",
    "This request is not signed: sign it with AWS Signature Version 4 and a key of this agent (see `lambdalet credentials`)",
  );
}

function denied(principal: Principal, action: string, resource: string): LambdaError {
  return new LambdaError(
    "AccessDeniedException",
    `The key ${principal.accessKeyId} (scope ${principal.scope}) is not allowed to perform ${action} on ${resource}`,
  );
}

/**
 * Lets `principal` invoke the function named by `invoked` (a path part, still percent-encoded); an unsigned caller
 * (null) goes on, for the handler to decide by the function's `Edge.invokeAuthType`.
 */
export function checkMayInvoke(
  deps: Pick<ApiDeps, "region" | "accountId">,
  principal: Principal | null,
  invoked: string,
): void {
  if (!principal) return;
  const name = parseFunctionRef(decodePathPart(invoked)).name;
  if (!mayInvoke(principal, name)) {
    throw denied(principal, "lambda:InvokeFunction", functionArn(deps.region, deps.accountId, name));
  }
}

/**
 * Verifies the signature of every request (except `/healthz`), then lets Invoke through for keys whose scope
 * names the function, Publish for admin keys and workers' keys whose `Edge.publishTopics` match the topic,
 * `GET /metrics` for admin and metrics keys (and unsigned from a loopback peer), and everything else for admin keys
 * only. An unsigned Invoke goes on to the handler, which serves it only for a function whose `Edge.invokeAuthType`
 * is `NONE`.
 */
export function authMiddleware(
  deps: Pick<ApiDeps, "keyring" | "region" | "accountId" | "dashboard">,
): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.set("principal", null);
    if (OPEN_PATHS.has(c.req.path)) return await next();
    // the dashboard checks its own sessions; its paths reach nothing but the dashboard (no principal is set, and
    // no cookie is ever read here, so a session never authorizes an API call)
    if (deps.dashboard && (c.req.path === "/" || isDashboardPath(c.req.path))) return await next();
    // workers present their own token there, not a signature: the handler checks it before anything else
    if (c.req.path === AWS_CREDENTIALS_PATH && (c.req.method === "GET" || c.req.method === "HEAD")) {
      return await next();
    }
    const verified = await verifySignature(c.req.raw, { keyring: deps.keyring, region: deps.region });
    if (verified?.body) {
      // the body was read to check its hash: hand the same bytes on
      const raw = c.req.raw;
      c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: verified.body });
    }
    const principal = verified?.principal ?? null;
    c.set("principal", principal);
    const match = c.req.method === "POST" ? INVOKE_PATH.exec(c.req.path) : null;
    const invoked = match ? match[1] ?? match[2] : undefined;
    if (invoked !== undefined) {
      checkMayInvoke(deps, principal, invoked);
      return await next();
    }
    if (c.req.path === METRICS_PATH && c.req.method === "GET") {
      // unsigned only from this host, by the connection's own peer address (never a header)
      if (!principal && !isLoopbackAddress(peerAddressOf(c.env, c.req.raw))) throw missingAuthentication();
      if (principal && !mayReadMetrics(principal)) {
        throw denied(principal, "lambdalet:ReadMetrics", "this agent");
      }
      return await next();
    }
    if (!principal) throw missingAuthentication();
    if (c.req.method === "POST" && isPublishPath(c.req.path)) {
      const topic = topicOfUrl(c.req.url);
      if (!mayPublish(principal, topic)) throw denied(principal, "lambdalet:Publish", `the topic ${topic}`);
      return await next();
    }
    if (principal.scope !== "admin") throw denied(principal, `${c.req.method} ${c.req.path}`, "this agent");
    return await next();
  };
}
