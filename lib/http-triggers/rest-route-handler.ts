/** @module Serves API Gateway REST routes: finds the route, checks who may call it, invokes `$LATEST`, answers in HTTP. */
import { createHash } from "node:crypto";
import { type Keyring, mayInvoke } from "../auth/mod.ts";
import { MAX_SYNC_PAYLOAD_BYTES } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { functionArn, type Invocations, traceId } from "../functions/mod.ts";
import type { RequestInfo } from "./function-url-handler.ts";
import { restEvent } from "./rest-event.ts";
import { badGateway, restMessage, restResponse } from "./rest-response.ts";
import type { RestRoutes, RouteMatch } from "./rest-routes.ts";
import { type SignedCaller, signedCaller } from "./signed-caller.ts";

/** What serving routes needs. */
export interface RestRouteDeps {
  /** The route table. */
  routes: Pick<RestRoutes, "match">;
  /** Runs the invocations. */
  invocations: Pick<Invocations, "target" | "run">;
  /** The keys `AWS_IAM` routes accept. */
  keyring: Keyring;
  /** The region signatures name. */
  region: string;
  /** The account id named in ARNs and events. */
  accountId: string;
}

/** What the HTTP server knows of one route request. */
export interface RouteRequestInfo extends RequestInfo {
  /** The request path below the prefix (`/items/42` of `/api/items/42`), still percent-encoded. */
  path: string;
}

/** The request path below `prefix` (`/api`: `/api/items/42` is `/items/42`, `/api` is `/`), or null when outside it. */
export function pathBelowPrefix(pathname: string, prefix: string): string | null {
  if (prefix === "/" || prefix === "") return pathname;
  if (pathname === prefix) return "/";
  return pathname.startsWith(`${prefix}/`) ? pathname.slice(prefix.length) : null;
}

/** API Gateway's answer to a path and method no route serves. */
export function missingRoute(): Response {
  return restMessage(403, "Missing Authentication Token", {
    "x-amzn-ErrorType": "MissingAuthenticationTokenException",
  });
}

/** A short stable id of `text`, lower-case hex (API Gateway's ids are 10 and 6 characters). */
function shortId(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * Answers a request to the routes: the most specific route of its method and path, or 403 `Missing Authentication
 * Token` (API Gateway's answer to an unknown resource or method). The route's `authType` decides who may call it:
 * anyone (`NONE`), or a SigV4 signature of a key that may invoke the function (`AWS_IAM`, the default), else 403
 * `Forbidden`.
 */
export async function serveRestRoute(
  deps: RestRouteDeps,
  request: Request,
  info: RouteRequestInfo,
): Promise<Response> {
  const match = deps.routes.match(request.method, info.path);
  if (!match) return missingRoute();
  let caller: SignedCaller | null = null;
  if (match.route.authType !== "NONE") {
    caller = await signedCaller(deps, request);
    if (!caller || !mayInvoke(caller.principal, match.functionName)) return restMessage(403, "Forbidden");
  }
  const body = caller?.body ?? new Uint8Array(await request.arrayBuffer());
  if (body.byteLength > MAX_SYNC_PAYLOAD_BYTES) return restMessage(413, "Request Too Long");
  return await invoke(deps, match, request, body, {
    ...info,
    accessKey: caller?.principal.accessKeyId ?? null,
  });
}

/** Runs the route's function (`$LATEST`) with the request's event and maps the outcome (or a refusal) to HTTP. */
async function invoke(
  deps: RestRouteDeps,
  match: RouteMatch,
  request: Request,
  body: Uint8Array,
  info: RouteRequestInfo & { accessKey: string | null },
): Promise<Response> {
  const host = request.headers.get("host") ?? new URL(request.url).host;
  const event = restEvent(request, body, {
    resource: match.route.path,
    path: info.path,
    pathParameters: match.pathParameters,
    apiId: shortId(`${deps.region}:${deps.accountId}`, 10),
    resourceId: shortId(match.route.path, 6),
    accountId: deps.accountId,
    domainName: host.toLowerCase().replace(/:\d+$/, ""),
    sourceIp: info.sourceIp,
    requestId: info.requestId,
    accessKey: info.accessKey,
    now: Date.now(),
  });
  try {
    const fn = await deps.invocations.target({ name: match.functionName });
    const { outcome } = await deps.invocations.run(fn, {
      requestId: info.requestId,
      payload: new TextEncoder().encode(JSON.stringify(event)),
      invokedFunctionArn: functionArn(deps.region, deps.accountId, match.functionName),
      traceId: traceId(),
    });
    return restResponse(outcome);
  } catch (error) {
    if (!(error instanceof LambdaError)) throw error;
    if (error.type === "TooManyRequestsException") {
      return restMessage(429, "Too Many Requests", error.headers);
    }
    if (error.status === 503) return restMessage(503, "Service Unavailable", error.headers);
    if (error.type === "ResourceNotFoundException") return missingRoute(); // deleted since the match
    return badGateway();
  }
}
