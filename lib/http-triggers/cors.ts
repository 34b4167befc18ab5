/** @module A function URL's answers to browsers' cross-origin requests, from its `Cors` settings. */
import type { UrlCors } from "../store/mod.ts";

/** The origin a response may name in `Access-Control-Allow-Origin` for a request from `origin`, or null. */
function allowedOrigin(cors: UrlCors, origin: string): string | null {
  const origins = cors.AllowOrigins ?? [];
  if (origins.includes(origin)) return origin;
  if (origins.includes("*")) return cors.AllowCredentials ? origin : "*";
  return null;
}

/** Whether `request` is a CORS preflight (an OPTIONS naming the method it wants to send). */
export function isPreflight(request: Request): boolean {
  return request.method === "OPTIONS" && request.headers.has("origin") &&
    request.headers.has("access-control-request-method");
}

/** The answer to a preflight: what the URL's settings allow, or no CORS headers for an origin they do not. */
export function preflightResponse(cors: UrlCors, request: Request): Response {
  const headers = new Headers({ vary: "Origin" });
  const origin = allowedOrigin(cors, request.headers.get("origin")!);
  if (origin !== null) {
    headers.set("access-control-allow-origin", origin);
    if (cors.AllowMethods?.length) headers.set("access-control-allow-methods", cors.AllowMethods.join(","));
    if (cors.AllowHeaders?.length) headers.set("access-control-allow-headers", cors.AllowHeaders.join(","));
    if (cors.MaxAge !== undefined) headers.set("access-control-max-age", String(cors.MaxAge));
    if (cors.AllowCredentials) headers.set("access-control-allow-credentials", "true");
  }
  return new Response(null, { status: 200, headers });
}

/**
 * The CORS headers of an answer to a request from `origin` (the URL's settings replace any the function set), or
 * the function's response as it is when there are no settings.
 */
export function withCors(response: Response, cors: UrlCors | null, origin: string | null): Response {
  if (!cors) return response;
  const headers = new Headers(response.headers);
  for (const name of [...headers.keys()]) if (name.startsWith("access-control-")) headers.delete(name);
  const allowed = origin === null ? null : allowedOrigin(cors, origin);
  if (allowed !== null) {
    headers.set("access-control-allow-origin", allowed);
    if (cors.ExposeHeaders?.length) {
      headers.set("access-control-expose-headers", cors.ExposeHeaders.join(","));
    }
    if (cors.AllowCredentials) headers.set("access-control-allow-credentials", "true");
  }
  headers.append("vary", "Origin");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
