/** @module Who may see and use the dashboard: a signed-in admin session, or read-only loopback when configured. */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { CSRF_FIELD, fromSameOrigin, validToken } from "./csrf.ts";
import type { DashboardEnv } from "./env.ts";
import { DASHBOARD_PATH } from "./layout.tsx";
import type { DashboardSessions } from "./sessions.ts";
import { keyStillValid } from "./sign-in.ts";
import type { Keyring } from "../auth/mod.ts";

/** The session cookie's name (with TLS, `__Host-` binds it to this origin, Secure and Path=/). */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-lambdalet-session" : "lambdalet-session";
}

/** What the access checks need. */
export interface AccessDeps {
  sessions: DashboardSessions;
  keyring: Pick<Keyring, "find">;
  loopbackReadOnly: boolean;
  secureCookies: boolean;
}

function refuse(c: Context<DashboardEnv>, status: 401 | 403, message: string): Response {
  return c.text(message, status, { "cache-control": "no-store" });
}

/**
 * Sets the viewer of every request: the admin of a live session (whose key is still an admin key with the same
 * secret), else a read-only viewer for a GET from a loopback peer when configured; anyone else is sent to sign in
 * (a page) or refused with 401 (anything else).
 */
export function viewerMiddleware(deps: AccessDeps): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const cookie = getCookie(c, sessionCookieName(deps.secureCookies));
    const session = deps.sessions.find(cookie);
    if (session && keyStillValid(deps.keyring, session)) {
      c.set("viewer", { kind: "admin", accessKeyId: session.accessKeyId, csrfToken: session.csrfToken });
      return await next();
    }
    if (session) deps.sessions.close(cookie);
    if (deps.loopbackReadOnly && c.env?.loopbackPeer === true && c.req.method === "GET") {
      c.set("viewer", { kind: "read-only" });
      return await next();
    }
    if (c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html")) {
      return c.redirect(`${DASHBOARD_PATH}/sign-in`, 303);
    }
    return refuse(c, 401, "Sign in to the dashboard first.");
  };
}

/**
 * Lets through only a signed-in admin (never a read-only viewer); on a POST, only from a page of this origin
 * (`Origin`) carrying the session's form token.
 */
export function adminOnly(): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const viewer = c.get("viewer");
    if (viewer.kind !== "admin") return refuse(c, 403, "The read-only view cannot do this: sign in.");
    if (c.req.method === "POST") {
      if (!fromSameOrigin(c.req.raw)) {
        return refuse(c, 403, "Refused: the form was not sent from this dashboard.");
      }
      const body = await c.req.parseBody();
      if (!validToken(body[CSRF_FIELD], viewer.csrfToken)) {
        return refuse(
          c,
          403,
          "Refused: the form's token is missing or stale; reload the page and try again.",
        );
      }
    }
    return await next();
  };
}
