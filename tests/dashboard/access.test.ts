import { afterEach, describe, expect, test } from "bun:test";
import {
  ADMIN_ONLY,
  CONTENT_SECURITY_POLICY,
  type DashboardOptions,
  WRONG_KEY,
} from "../../lib/dashboard/mod.ts";
import { type InMemoryApi, openInMemoryApi } from "../helpers/in-memory-api.ts";

const ORIGIN = "http://localhost";
/** The app's environment when its TCP peer is this host (as the agent's server reports it). */
const LOOPBACK_PEER = { server: { requestIP: () => ({ address: "127.0.0.1", family: "IPv4", port: 5000 }) } };
const REMOTE_PEER = { server: { requestIP: () => ({ address: "192.0.2.7", family: "IPv4", port: 5000 }) } };

const opened: InMemoryApi[] = [];
afterEach(() => {
  for (const api of opened.splice(0)) api.close();
});

async function open(options: DashboardOptions = {}): Promise<InMemoryApi> {
  const api = await openInMemoryApi({ dashboard: options });
  opened.push(api);
  return api;
}

/** The `name=value` of the cookie `name` that `response` sets. */
function cookieOf(response: Response, name: string): string | undefined {
  const line = response.headers.getSetCookie().find((item) => item.startsWith(`${name}=`));
  return line?.split(";")[0];
}

async function get(app: InMemoryApi, path: string, headers: Record<string, string> = {}, env?: unknown) {
  return await app.app.request(`${ORIGIN}${path}`, { headers: { accept: "text/html", ...headers } }, env);
}

async function post(
  app: InMemoryApi,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string>,
) {
  return await app.app.request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** Posts the sign-in form as a browser on the sign-in page would; returns the answer. */
async function signIn(app: InMemoryApi, accessKeyId: string, secret: string): Promise<Response> {
  const page = await get(app, "/dashboard/sign-in");
  const token = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return await post(app, "/dashboard/sign-in", { csrf: token, accessKeyId, secret }, {
    origin: ORIGIN,
    cookie: cookieOf(page, "lambdalet-sign-in")!,
  });
}

/** Signs in with the admin key; the session cookie and the form token of its pages. */
async function adminSession(app: InMemoryApi): Promise<{ cookie: string; csrf: string }> {
  const key = app.savedDefaultKey();
  const answer = await signIn(app, key.accessKeyId, key.secret);
  expect(answer.status).toBe(303);
  const cookie = cookieOf(answer, "lambdalet-session")!;
  const page = await get(app, "/dashboard/events", { cookie });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return { cookie, csrf };
}

describe("dashboard sign-in", () => {
  test("an admin key signs in: a session cookie that is HttpOnly, SameSite=Strict, Path=/, and no secret in the page", async () => {
    const app = await open();
    const key = app.savedDefaultKey();
    const answer = await signIn(app, key.accessKeyId, key.secret);
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/dashboard");
    const line = answer.headers.getSetCookie().find((item) => item.startsWith("lambdalet-session="))!;
    expect(line).toContain("HttpOnly");
    expect(line).toContain("SameSite=Strict");
    expect(line).toContain("Path=/");
    expect(line).not.toContain("Secure");
    const overview = await get(app, "/dashboard", { cookie: line.split(";")[0]! });
    expect(overview.status).toBe(200);
    const html = await overview.text();
    expect(html).toContain(key.accessKeyId);
    expect(html).not.toContain(key.secret);
  });

  test("with TLS the session cookie is Secure and bound to the origin (__Host-)", async () => {
    const app = await open({ secureCookies: true });
    const key = app.savedDefaultKey();
    const answer = await signIn(app, key.accessKeyId, key.secret);
    const line = answer.headers.getSetCookie().find((item) => item.startsWith("__Host-lambdalet-session="))!;
    expect(line).toContain("Secure");
  });

  test("a wrong secret and an unknown key id are refused alike", async () => {
    const app = await open();
    const key = app.savedDefaultKey();
    for (const [id, secret] of [[key.accessKeyId, `${key.secret}x`], ["LKIANOSUCHKEY0000000", key.secret]]) {
      const answer = await signIn(app, id!, secret!);
      expect(answer.status).toBe(401);
      expect(await answer.text()).toContain(WRONG_KEY);
      expect(cookieOf(answer, "lambdalet-session")).toBeUndefined();
    }
  });

  test("an invoke key cannot sign in, even with its right secret, and is told why", async () => {
    const app = await open();
    const key = app.keyring.create({ scope: "invoke", functions: ["*"] });
    const answer = await signIn(app, key.accessKeyId, key.secret);
    expect(answer.status).toBe(401);
    expect(await answer.text()).toContain("Only admin keys may sign in");
    expect(ADMIN_ONLY).toContain("invokes any function");
    expect(cookieOf(answer, "lambdalet-session")).toBeUndefined();
  });

  test("the sign-in form is refused without its token, with another token, or from another origin", async () => {
    const app = await open();
    const key = app.savedDefaultKey();
    const page = await get(app, "/dashboard/sign-in");
    const token = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const cookie = cookieOf(page, "lambdalet-sign-in")!;
    const form = { accessKeyId: key.accessKeyId, secret: key.secret };
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [form, { origin: ORIGIN, cookie }],
      [{ ...form, csrf: "forged" }, { origin: ORIGIN, cookie }],
      [{ ...form, csrf: token }, { origin: ORIGIN }],
      [{ ...form, csrf: token }, { origin: "http://evil.example", cookie }],
      [{ ...form, csrf: token }, { cookie }],
    ];
    for (const [body, headers] of attempts) {
      const answer = await post(app, "/dashboard/sign-in", body, headers);
      expect(answer.status).toBe(403);
      expect(cookieOf(answer, "lambdalet-session")).toBeUndefined();
    }
  });

  test("what is typed as the key id comes back escaped", async () => {
    const app = await open();
    const answer = await signIn(app, `"><script>alert(1)</script>`, "x");
    const html = await answer.text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
  });
});

describe("dashboard pages and actions", () => {
  test("without a session a page redirects to sign-in and anything else is 401", async () => {
    const app = await open();
    for (
      const path of ["/dashboard", "/dashboard/functions", "/dashboard/events", "/dashboard/deployments"]
    ) {
      const answer = await get(app, path);
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toBe("/dashboard/sign-in");
    }
    const stream = await app.app.request(`${ORIGIN}/dashboard/functions/f/logs`, {
      headers: { accept: "text/event-stream" },
    });
    expect(stream.status).toBe(401);
    const purge = await post(app, "/dashboard/events/purge", {}, { origin: ORIGIN });
    expect(purge.status).toBe(401);
  });

  test("/ leads to the dashboard", async () => {
    const app = await open();
    const answer = await app.app.request(`${ORIGIN}/`);
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/dashboard");
  });

  test("every answer carries the Content-Security-Policy and X-Frame-Options DENY", async () => {
    const app = await open();
    const { cookie } = await adminSession(app);
    for (const path of ["/dashboard/sign-in", "/dashboard", "/dashboard/nothing-here"]) {
      const answer = await get(app, path, { cookie });
      expect(answer.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
  });

  test("a POST without the session's form token, or from another origin, is refused; with both it acts", async () => {
    const app = await open();
    const { cookie, csrf } = await adminSession(app);
    const refused: [Record<string, string>, Record<string, string>][] = [
      [{}, { origin: ORIGIN, cookie }],
      [{ csrf: "stale" }, { origin: ORIGIN, cookie }],
      [{ csrf }, { origin: "http://evil.example", cookie }],
      [{ csrf }, { cookie }],
    ];
    for (const [form, headers] of refused) {
      expect((await post(app, "/dashboard/events/purge", form, headers)).status).toBe(403);
    }
    const done = await post(app, "/dashboard/events/purge", { csrf }, { origin: ORIGIN, cookie });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/dashboard/events?done=purge&count=0");
  });

  test("a dashboard session never authorizes a Lambda API call", async () => {
    const app = await open();
    const { cookie } = await adminSession(app);
    const answer = await app.app.request(`${ORIGIN}/2015-03-31/functions`, { headers: { cookie } });
    expect(answer.status).toBe(403);
    expect(((await answer.json()) as { message: string }).message).toContain("This request is not signed");
  });

  test("signing out ends the session; rotating the key ends it too", async () => {
    const app = await open();
    const first = await adminSession(app);
    const out = await post(app, "/dashboard/sign-out", { csrf: first.csrf }, {
      origin: ORIGIN,
      cookie: first.cookie,
    });
    expect(out.status).toBe(303);
    expect((await get(app, "/dashboard", { cookie: first.cookie })).status).toBe(303);
    const second = await adminSession(app);
    app.keyring.rotate(app.savedDefaultKey().accessKeyId);
    expect((await get(app, "/dashboard", { cookie: second.cookie })).status).toBe(303);
  });

  test("the test-invoke action runs the function through the control plane and answers its response and log", async () => {
    const app = await open();
    await app.createFunction("echo");
    const { cookie, csrf } = await adminSession(app);
    const page = await get(app, "/dashboard/functions/echo", { cookie });
    const html = await page.text();
    expect(html).toContain('id="sample-events"');
    expect(html).toContain("s3 put");
    const answer = await post(app, "/dashboard/functions/echo/invoke", {
      csrf,
      payload: '{"hello":"dashboard"}',
    }, {
      origin: ORIGIN,
      cookie,
      accept: "application/json",
    });
    expect(answer.status).toBe(200);
    const result = (await answer.json()) as { ok: boolean; response: string; log: string };
    expect(result.ok).toBe(true);
    expect(JSON.parse(result.response)).toEqual({ hello: "dashboard" });
    expect(result.log).toContain("START RequestId:");
    expect(app.runner.invocations).toHaveLength(1);
  });
});

describe("dashboard read-only view from loopback", () => {
  test("configured, a loopback peer sees the pages read-only: no forms, no logs, no actions", async () => {
    const app = await open({ loopbackReadOnly: true });
    await app.createFunction("echo");
    const page = await get(app, "/dashboard/functions/echo", {}, LOOPBACK_PEER);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Read-only view");
    expect(html).not.toContain("data-invoke");
    expect(html).not.toContain("data-log-stream");
    const stream = await app.app.request(`${ORIGIN}/dashboard/functions/echo/logs`, {}, LOOPBACK_PEER);
    expect(stream.status).toBe(403);
    const invoke = await app.app.request(`${ORIGIN}/dashboard/functions/echo/invoke`, {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: "payload=%7B%7D",
    }, LOOPBACK_PEER);
    expect(invoke.status).toBe(401);
    expect(app.runner.invocations).toHaveLength(0);
  });

  test("configured, a peer that is not loopback must sign in", async () => {
    const app = await open({ loopbackReadOnly: true });
    expect((await get(app, "/dashboard", {}, REMOTE_PEER)).status).toBe(303);
  });

  test("not configured (the default), a loopback peer must sign in; so must a Host or X-Forwarded-For that claims it", async () => {
    const app = await open();
    expect((await get(app, "/dashboard", {}, LOOPBACK_PEER)).status).toBe(303);
    const readOnly = await open({ loopbackReadOnly: true });
    expect((await get(readOnly, "/dashboard", { "x-forwarded-for": "127.0.0.1" })).status).toBe(303);
  });
});
