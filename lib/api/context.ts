/** @module What API handlers are given: the control plane's parts, the keys, and how to name things in answers. */
import type { Keyring, Principal } from "../auth/mod.ts";
import type { AwsCredentialService } from "../aws-credentials/mod.ts";
import type { Dashboard } from "../dashboard/mod.ts";
import type {
  Aliases,
  Deployments,
  EventInvokeConfigs,
  Functions,
  FunctionUrls,
  GreengrassImports,
  Invocations,
  IotCore,
  Layers,
  ProvisionedConcurrency,
  Schedules,
  Topics,
} from "../functions/mod.ts";
import type { RestRoutes } from "../http-triggers/mod.ts";
import type { AgentMetrics } from "../metrics/mod.ts";
import type { FunctionLogs } from "../logs/mod.ts";
import type { RuntimeResolution } from "../runtimes/mod.ts";
import type { ApiKeyRecord } from "../store/mod.ts";

/** The agent's parts that API handlers use; each handler is given only the members it names. */
export interface ApiDeps {
  /** Functions and versions. */
  functions: Functions;
  /** Aliases. */
  aliases: Aliases;
  /** Layer versions. */
  layers: Layers;
  /** Event invoke configurations. */
  eventInvokeConfigs: EventInvokeConfigs;
  /** Provisioned concurrency configurations. */
  provisionedConcurrency: ProvisionedConcurrency;
  /** Invoking now or queueing; the dead letters. */
  invocations: Invocations;
  /** Deployments and rollbacks. */
  deployments: Deployments;
  /** Functions' schedules, for `/status`. */
  schedules: Pick<Schedules, "status">;
  /** Greengrass v2 Lambda components imported as functions. */
  greengrass: GreengrassImports;
  /** Function URLs (their settings, and the requests to them). */
  functionUrls: FunctionUrls;
  /** Local publish/subscribe. */
  topics: Topics;
  /** The MQTT bridge, for `/status`. @default null (no bridge) */
  iotCore?: Pick<IotCore, "status"> | null;
  /** API Gateway REST routes: the route table, and the path prefix they are served under on the API port. */
  httpRoutes: { routes: RestRoutes; prefix: string };
  /** The keys requests are signed with. */
  keyring: Keyring;
  /** Functions' stored logs (`GET /lambdalet/v1/functions/{name}/logs`). @default none: the route is not served */
  logs?: FunctionLogs;
  /** Functions' AWS credentials (the container credentials door). @default none: every token is refused */
  awsCredentials?: AwsCredentialService;
  /** The dashboard at `/dashboard` (and `/` leading to it). @default none: those paths are unknown */
  dashboard?: Dashboard;
  /** The Prometheus metrics served at `GET /metrics`. @default none: the path is unknown */
  metrics?: Pick<AgentMetrics, "render" | "contentType">;
  /** Writes the admin key to the credentials file again (after its rotation). */
  saveDefaultKey(key: ApiKeyRecord): void;
  /** The region named in ARNs and signatures. */
  region: string;
  /** The account id named in ARNs. */
  accountId: string;
  /** The interpreter each runtime id resolved to at start, shown in configurations. */
  runtimes: { resolution(runtime: string): RuntimeResolution | undefined };
}

/** Hono environment of the API: the request id of each call, and who signed it (null: unsigned). */
export interface ApiEnv {
  Variables: { requestId: string; principal: Principal | null };
}
