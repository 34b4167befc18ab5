/** @module Signing in with an admin key's id and secret, and out: the session cookie and the sign-in form's token. */
/** @jsxImportSource hono/jsx */
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { type AccessDeps, adminOnly, sessionCookieName } from "../access.ts";
import { CSRF_FIELD, fromSameOrigin, validToken } from "../csrf.ts";
import type { DashboardEnv } from "../env.ts";
import { DASHBOARD_PATH, Document } from "../layout.tsx";
import { randomToken } from "../sessions.ts";
import { verifyAdminKey } from "../sign-in.ts";

const SIGN_IN_PATH = `${DASHBOARD_PATH}/sign-in`;
/** Before a session exists, the form's token is also in this cookie (checked against each other on POST). */
const SIGN_IN_COOKIE = "lambdalet-sign-in";

function SignInForm(props: { token: string; accessKeyId: string; error: string | null }) {
  return (
    <Document title="Sign in">
      <main>
        <h1>Sign in to lambdalet</h1>
        <p>
          With an <strong>admin</strong> key of this agent (<code>lambdalet credentials</code>{" "}
          prints the default one; <code>lambdalet keys create --scope admin</code>{" "}
          makes another). The secret is checked once and never kept in the page; a cookie then names your
          session on this agent.
        </p>
        {props.error ? <p class="error" role="alert">{props.error}</p> : null}
        <form method="post" action={SIGN_IN_PATH}>
          <input type="hidden" name={CSRF_FIELD} value={props.token} />
          <label for="access-key-id">Access key id</label>
          <input
            type="text"
            id="access-key-id"
            name="accessKeyId"
            value={props.accessKeyId}
            autocomplete="username"
          />
          <label for="secret">Secret access key</label>
          <input type="password" id="secret" name="secret" autocomplete="current-password" />
          <p>
            <button type="submit">Sign in</button>
          </p>
        </form>
      </main>
    </Document>
  );
}

function showForm(
  c: Context<DashboardEnv>,
  secure: boolean,
  status: 200 | 401 | 403,
  error: string | null,
  id = "",
) {
  const token = randomToken();
  setCookie(c, SIGN_IN_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    secure,
    path: SIGN_IN_PATH,
    maxAge: 900,
  });
  return c.html(<SignInForm token={token} accessKeyId={id} error={error} />, status);
}

/** Adds `GET`/`POST /dashboard/sign-in` and `POST /dashboard/sign-out` to `app`. */
export function signInRoutes(app: Hono<DashboardEnv>, deps: AccessDeps): void {
  const secure = deps.secureCookies;
  app.get(SIGN_IN_PATH, (c) => showForm(c, secure, 200, null));
  app.post(SIGN_IN_PATH, async (c) => {
    const form = await c.req.parseBody();
    const expected = getCookie(c, SIGN_IN_COOKIE);
    if (!fromSameOrigin(c.req.raw) || !expected || !validToken(form[CSRF_FIELD], expected)) {
      return showForm(c, secure, 403, "The sign-in form was stale or not sent from this page: try again.");
    }
    const accessKeyId = typeof form.accessKeyId === "string" ? form.accessKeyId.trim().slice(0, 128) : "";
    const secret = typeof form.secret === "string" ? form.secret : "";
    const result = verifyAdminKey(deps.keyring, { accessKeyId, secret });
    if (!result.ok) return showForm(c, secure, 401, result.reason, accessKeyId);
    const { id, session } = deps.sessions.open(result.accessKeyId, result.secretDigest);
    deleteCookie(c, SIGN_IN_COOKIE, { path: SIGN_IN_PATH, secure });
    setCookie(c, sessionCookieName(secure), id, {
      httpOnly: true,
      sameSite: "Strict",
      secure,
      path: "/",
      maxAge: Math.floor((session.expiresAt - Date.now()) / 1000),
    });
    return c.redirect(DASHBOARD_PATH, 303);
  });
}

/** Adds `POST /dashboard/sign-out` (behind the viewer check) to `app`. */
export function signOutRoute(app: Hono<DashboardEnv>, deps: AccessDeps): void {
  app.post(`${DASHBOARD_PATH}/sign-out`, adminOnly(), (c) => {
    const name = sessionCookieName(deps.secureCookies);
    deps.sessions.close(getCookie(c, name));
    deleteCookie(c, name, { path: "/", secure: deps.secureCookies });
    return c.redirect(SIGN_IN_PATH, 303);
  });
}
