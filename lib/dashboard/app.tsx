/** @module The dashboard's route table: assets and sign-in open, every page behind the viewer check. */
/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { viewerMiddleware } from "./access.ts";
import { APP_JS, STYLE_CSS } from "./assets.ts";
import type { DashboardDeps, DashboardEnv, DashboardOptions } from "./env.ts";
import { DASHBOARD_PATH, Document } from "./layout.tsx";
import { deploymentRoutes } from "./routes/deployments.tsx";
import { eventRoutes } from "./routes/events.tsx";
import { functionRoutes } from "./routes/function.tsx";
import { functionsRoute } from "./routes/functions.tsx";
import { overviewRoute } from "./routes/overview.tsx";
import { signInRoutes, signOutRoute } from "./routes/sign-in.tsx";
import { securityHeaders } from "./security-headers.ts";
import { DashboardSessions } from "./sessions.ts";

/** The dashboard as the API mounts it: a request handler told whether the caller's TCP peer is loopback. */
export interface Dashboard {
  /** Answers a request under `/dashboard`. */
  fetch(request: Request, env: DashboardEnv["Bindings"]): Response | Promise<Response>;
  /** Its sessions (for tests and for counting). */
  sessions: DashboardSessions;
}

/** Whether `path` is the dashboard's: the API lets these through to the dashboard's own checks, and only these. */
export function isDashboardPath(path: string): boolean {
  return path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`);
}

function ErrorPage(props: { message: string }) {
  return (
    <Document title="Error">
      <main>
        <h1>That did not work</h1>
        <p class="error" role="alert">{props.message}</p>
        <p>
          <a href={DASHBOARD_PATH}>Back to the overview</a>
        </p>
      </main>
    </Document>
  );
}

/** Builds the dashboard over the control plane's parts. */
export function createDashboard(deps: DashboardDeps, options: DashboardOptions = {}): Dashboard {
  const sessions = new DashboardSessions(options.sessions);
  const access = {
    sessions,
    keyring: deps.keyring,
    loopbackReadOnly: options.loopbackReadOnly ?? false,
    secureCookies: options.secureCookies ?? false,
  };
  const app = new Hono<DashboardEnv>({ strict: false });
  app.use(securityHeaders());
  // forms are small; only the test-invoke form carries a payload (its route sets its own limit)
  app.post("*", async (c, next) => {
    if (c.req.path.endsWith("/invoke")) return await next();
    return await bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text("The form is too large.", 413) })(
      c,
      next,
    );
  });
  const asset =
    (text: string, type: string) =>
    (c: { body: (text: string, status: 200, headers: Record<string, string>) => Response }) =>
      c.body(text, 200, { "content-type": type, "cache-control": "no-cache" });
  app.get(`${DASHBOARD_PATH}/assets/app.js`, asset(APP_JS, "text/javascript; charset=utf-8"));
  app.get(`${DASHBOARD_PATH}/assets/style.css`, asset(STYLE_CSS, "text/css; charset=utf-8"));
  signInRoutes(app, access);
  app.use(viewerMiddleware(access));
  signOutRoute(app, access);
  overviewRoute(app, deps, deps.startedAt ?? Date.now());
  functionsRoute(app, deps);
  functionRoutes(app, deps);
  eventRoutes(app, deps);
  deploymentRoutes(app, deps);
  app.notFound((c) => c.html(<ErrorPage message="There is no such page." />, 404));
  app.onError((error, c) => {
    const status = (error as { status?: unknown }).status;
    return c.html(
      <ErrorPage message={error.message} />,
      typeof status === "number" && status >= 400 && status < 500 ? (status as 400) : 500,
    );
  });
  return { fetch: (request, env) => app.fetch(request, env), sessions };
}
