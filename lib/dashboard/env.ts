/** @module What the dashboard is given (the control plane's parts, the keys, the host) and what each request carries. */
import type { Keyring } from "../auth/mod.ts";
import type { Aliases, Deployments, Functions, Invocations } from "../functions/mod.ts";
import type { FunctionLogs } from "../logs/mod.ts";
import type { HostCapabilities } from "../sandbox/mod.ts";
import type { RecentInvocations } from "./recent-invocations.ts";
import type { DashboardSessionOptions } from "./sessions.ts";

/** A function's triggers as the dashboard lists them (the shape of `/status`'s `eventSources`). */
export interface DashboardEventSources {
  FunctionName: string;
  Urls: { Qualifier: string | null; FunctionUrl: string; EdgePathUrl: string; AuthType: string }[];
  Routes: { Method: string; Path: string; AuthType: string }[];
  Subscriptions: { Topic: string }[];
  Schedules: { Expression: string; NextFireAt: string | null }[];
}

/** The agent's parts the dashboard reads and acts on: the control plane directly, never the HTTP API. */
export interface DashboardDeps {
  /** Functions, versions and their workers' status. */
  functions: Pick<Functions, "list" | "versions" | "get" | "statusAll">;
  /** Aliases. */
  aliases: Pick<Aliases, "list">;
  /** Invoking now, the Event queue and its dead letters. */
  invocations: Pick<
    Invocations,
    "target" | "run" | "queued" | "deadLetters" | "replayDeadLetters" | "purgeDeadLetters"
  >;
  /** Deployments and rollback. */
  deployments: Pick<Deployments, "list" | "rollback">;
  /** The keys people sign in with. */
  keyring: Pick<Keyring, "find">;
  /** Functions' stored logs. @default none: no log is shown */
  logs?: Pick<FunctionLogs, "tail" | "bytesOf">;
  /** Every function's triggers, with addresses on `origin`. */
  eventSources(origin: string): DashboardEventSources[];
  /** What the host offers, as `lambdalet doctor` detects it. */
  capabilities: HostCapabilities;
  /** The last invocations of each function. */
  recent: RecentInvocations;
  /** The region named in ARNs. */
  region: string;
  /** The account id named in ARNs. */
  accountId: string;
  /** When the agent started (ms since the epoch). @default when the dashboard was made */
  startedAt?: number;
}

/** Options of the dashboard. */
export interface DashboardOptions {
  /** Show the pages without sign-in (read-only, no logs) to callers whose TCP peer is loopback. @default false */
  loopbackReadOnly?: boolean;
  /** Mark cookies `Secure` (the agent serves HTTPS). @default false */
  secureCookies?: boolean;
  /** How long sessions last and how many are kept. @default see {@linkcode DashboardSessionOptions} */
  sessions?: DashboardSessionOptions;
}

/** Who is looking: a signed-in admin (with the session's form token), or a read-only loopback caller. */
export type Viewer =
  | { kind: "admin"; accessKeyId: string; csrfToken: string }
  | { kind: "read-only" };

/** What the API tells the dashboard of each request's connection. */
export interface DashboardBindings {
  /** Whether the TCP peer is a loopback address (from the server, never a header). */
  loopbackPeer: boolean;
}

/** The dashboard's Hono environment. */
export interface DashboardEnv {
  Bindings: DashboardBindings;
  Variables: { viewer: Viewer };
}
