/** @module The frame of every dashboard page: head, navigation, who is signed in, and the sign-out form. */
/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { CSRF_FIELD } from "./csrf.ts";
import type { Viewer } from "./env.ts";

/** The dashboard's root path. */
export const DASHBOARD_PATH = "/dashboard";

const NAV: [string, string][] = [
  ["overview", `${DASHBOARD_PATH}`],
  ["functions", `${DASHBOARD_PATH}/functions`],
  ["events", `${DASHBOARD_PATH}/events`],
  ["deployments", `${DASHBOARD_PATH}/deployments`],
];

/** A form's hidden token field, for the signed-in viewer. */
export function CsrfField(props: { viewer: Viewer }) {
  return props.viewer.kind === "admin"
    ? <input type="hidden" name={CSRF_FIELD} value={props.viewer.csrfToken} />
    : null;
}

/** A whole HTML document with the dashboard's style sheet and script. */
export function Document(props: { title: string; children: Child }) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · lambdalet`}</title>
          <link rel="stylesheet" href={`${DASHBOARD_PATH}/assets/style.css`} />
          <script src={`${DASHBOARD_PATH}/assets/app.js`} defer></script>
        </head>
        <body>{props.children}</body>
      </html>
    </>
  );
}

/** A page of the dashboard: the navigation (with `active` marked), the viewer, and `children`. */
export function Page(props: { title: string; active: string; viewer: Viewer; children: Child }) {
  const { viewer } = props;
  return (
    <Document title={props.title}>
      <header>
        <span class="brand">lambdalet</span>
        <nav>
          {NAV.map(([name, href]) => (
            <a href={href} {...(name === props.active ? { "aria-current": "page" } : {})}>{name}</a>
          ))}
        </nav>
        {viewer.kind === "admin"
          ? (
            <form class="inline" method="post" action={`${DASHBOARD_PATH}/sign-out`}>
              <span>{viewer.accessKeyId}</span> <CsrfField viewer={viewer} />
              <button type="submit">Sign out</button>
            </form>
          )
          : <a href={`${DASHBOARD_PATH}/sign-in`}>Sign in</a>}
      </header>
      {viewer.kind === "read-only"
        ? (
          <p class="readonly">
            Read-only view from this host (agent config{" "}
            <code>dashboard.loopbackReadOnly</code>): sign in to act and to see logs.
          </p>
        )
        : null}
      <main>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}
