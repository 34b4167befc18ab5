/**
 * @module The dashboard at `/dashboard` on the API port: server-rendered pages over the control plane, for admins
 * signed in with their key (a session cookie, CSRF-checked forms), read-only from loopback when configured.
 */
export { createDashboard, type Dashboard, isDashboardPath } from "./app.tsx";
export type {
  DashboardBindings,
  DashboardDeps,
  DashboardEventSources,
  DashboardOptions,
  Viewer,
} from "./env.ts";
export { DASHBOARD_PATH } from "./layout.tsx";
export { type RecentInvocation, RecentInvocations } from "./recent-invocations.ts";
export { type DashboardSessionOptions, DashboardSessions } from "./sessions.ts";
export { ADMIN_ONLY, verifyAdminKey, WRONG_KEY } from "./sign-in.ts";
export { CONTENT_SECURITY_POLICY } from "./security-headers.ts";
