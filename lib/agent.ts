/** @module Wires the agent's parts together once: store, code, runtimes, scheduler, API and HTTP server. */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { AWS_CREDENTIALS_PATH, createApi, createRestRouteApp, eventSources } from "./api/mod.ts";
import { createDashboard, RecentInvocations } from "./dashboard/mod.ts";
import { AwsCredentialService, createCredentialSource } from "./aws-credentials/mod.ts";
import { Keyring, writeCredentialsFile } from "./auth/mod.ts";
import { CodeStore } from "./code/mod.ts";
import { RestRoutes } from "./http-triggers/mod.ts";
import { createControlPlane } from "./functions/mod.ts";
import { type AgentOptions, isLoopback } from "./config/mod.ts";
import { AgentMetrics } from "./metrics/mod.ts";
import { IPC_PATH_PREFIX, RuntimeHost, type RuntimeResolution } from "./runtimes/mod.ts";
import { claimDataDir, listSome } from "./recovery/mod.ts";
import { detectHostCapabilities, Sandbox, sweepLeftoverWorkers, workerCgroupParent } from "./sandbox/mod.ts";
import { ActivityLog } from "./activity/mod.ts";
import { observeAllEvents } from "./events/mod.ts";
import { AgentLines, agentLogFormat, FunctionLogs } from "./logs/mod.ts";
import { type FunctionTarget, LogWriter, observeAll, Scheduler, type WorkerGrant } from "./scheduler/mod.ts";
import { type ApiKeyRecord, openStore, type Store } from "./store/mod.ts";

/** A running agent. */
export interface Agent {
  /** Base URL of the API, such as `http://127.0.0.1:9001`. */
  url: string;
  /** The credentials file holding the admin key. */
  credentialsFile: string;
  /** The region requests are signed for. */
  region: string;
  /** The port actually listened on. */
  port: number;
  /** Base URL of the API Gateway routes' own port (`httpRoutes.port`), or null when they are served under the prefix only. */
  routesUrl: string | null;
  /** The durable state. */
  store: Store;
  /** Whether this host can run GreengrassContainer workers. */
  canIsolate: boolean;
  /** The API's request handler, for in-process calls. */
  fetch(request: Request): Promise<Response>;
  /** Drains (new invocations get 503 while running ones finish), then stops workers, the server and the database. */
  stop(): Promise<void>;
}

/** Maximum size of an API request body: a 50 MB zip, base64 in JSON. */
const MAX_API_BODY_BYTES = 72 * 1024 * 1024;

/** Brackets an IPv6 address for a URL. */
function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Whether `host` means every address (workers then reach the agent on loopback). */
function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** A worker's grants as one: their variables together, each revoked at its exit. */
function joinGrants(first: WorkerGrant | null, second: WorkerGrant | null): WorkerGrant | null {
  if (!first || !second) return first ?? second;
  return {
    env: { ...first.env, ...second.env },
    revoke: () => {
      first.revoke();
      second.revoke();
    },
  };
}

/** What `serve` starts before the agent's modules load. */
export interface AgentHeadStart {
  /** The interpreters of `options.interpreters`, being resolved (`resolveRuntimes`). */
  runtimes?: Promise<ReadonlyMap<string, RuntimeResolution>>;
}

/** Starts an agent with `options`: opens the data dir, installs runtimes (resolving their interpreters once) and listens. */
export async function startAgent(options: AgentOptions, headStart: AgentHeadStart = {}): Promise<Agent> {
  // 0711: workers running as another user reach their code and runtime by path; nobody can list the folder
  mkdirSync(options.dataDir, { recursive: true, mode: 0o711 });
  chmodSync(options.dataDir, 0o711);
  // before anything reads or writes it: one agent per data dir, and no half-written files of a crashed run
  const lock = claimDataDir(options.dataDir);
  const store = openStore(join(options.dataDir, "lambdalet.db"));
  const keyring = new Keyring(store.apiKeys);
  // known once the server listens; workers only start after that
  let workerEndpoint = "";
  const grantCredentials = (target: FunctionTarget): WorkerGrant | null => {
    const { invokeFunctions, publishTopics } = target.config.edge;
    if (invokeFunctions.length === 0 && publishTopics.length === 0) return null;
    const session = keyring.openSession(invokeFunctions, {
      functionName: target.config.functionName,
      topics: publishTopics,
    });
    return {
      env: {
        AWS_ACCESS_KEY_ID: session.accessKeyId,
        AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
        AWS_SESSION_TOKEN: session.sessionToken,
        AWS_ENDPOINT_URL_LAMBDA: workerEndpoint,
        // the Greengrass Core SDKs' IPC: the same rights as the key, as one bearer token
        AUTH_TOKEN: session.authToken,
        LAMBDALET_IPC_URL: `${workerEndpoint}${IPC_PATH_PREFIX}`,
      },
      revoke: () => keyring.closeSession(session.accessKeyId),
    };
  };
  const code = new CodeStore(join(options.dataDir, "code"), store.code, { collect: true });
  const host = await RuntimeHost.install(join(options.dataDir, "runtimes"), options.interpreters, {
    strictVersions: options.strictRuntimeVersions,
    ...(headStart.runtimes ? { resolutions: headStart.runtimes } : {}),
  });
  for (const line of host.warnings()) console.warn(line);
  const capabilities = detectHostCapabilities({ cgroupParent: workerCgroupParent(options.dataDir) });
  if (capabilities.cgroups) {
    // workers of a crashed run that outlived it (a parent-death signal missed, or processes they started)
    const swept = sweepLeftoverWorkers(options.dataDir, capabilities.cgroups);
    if (swept.killed || swept.removed) {
      console.warn(
        `lambdalet: killed ${swept.killed} process(es) and removed ${swept.removed} worker cgroup(s) an interrupted run left`,
      );
    }
    if (swept.busy.length) console.warn(`lambdalet: worker cgroups still busy: ${listSome(swept.busy)}`);
  }
  const sandbox = new Sandbox(capabilities, {
    dataDir: options.dataDir,
    fallback: options.containerFallback,
    users: {
      allowRoot: options.allowFunctionsToRunAsRoot,
      functionUidRange: options.functionUidRange,
    },
  });
  for (const item of sandbox.missing) {
    const consequence = options.containerFallback
      ? "GreengrassContainer functions run WITHOUT a container (containerFallback: NoContainer)"
      : "GreengrassContainer functions cannot run";
    console.warn(
      `lambdalet: isolation unavailable, ${consequence}: ${item.name}: ${item.detail}${
        item.fix ? ` (fix: ${item.fix})` : ""
      }`,
    );
  }
  // functions' AWS credentials (Edge.awsCredentials), served on the API port to the tokens their workers hold
  const awsCredentials = new AwsCredentialService(
    options.tokenExchange && createCredentialSource(options.tokenExchange),
    {
      onUnconfigured: (name) =>
        console.warn(
          `lambdalet: ${name} asks for Edge.awsCredentials but the agent config has no tokenExchange`,
        ),
      onStaleServed: (error) =>
        console.warn(
          `lambdalet: tokenExchange refresh failed, serving the credentials held until they expire: ${
            error instanceof Error ? error.message : String(error)
          }`,
        ),
    },
  );
  const grantAwsCredentials = (target: FunctionTarget): WorkerGrant | null =>
    awsCredentials.grant(
      target.config.functionName,
      target.config.edge.awsCredentials,
      `${workerEndpoint}${AWS_CREDENTIALS_PATH}`,
    );
  // counted where things happen; the scheduler's status is read only at scrape time, once it exists
  const metrics = new AgentMetrics({ scheduler: { status: () => scheduler.status() }, store });
  const functionLog = new LogWriter(process.stdout);
  // one line per deployment, worker start and stop, throttle and retry; info lines share the workers' writer
  const activity = new ActivityLog(
    new AgentLines(agentLogFormat(options.logFormat), {
      stdout: { write: (text: string) => functionLog.line(text.slice(0, -1)) },
    }),
  );
  // each function's log under <data-dir>/logs, rotated within the caps; written off the event loop
  const logs = await FunctionLogs.open(options.dataDir, options.logs);
  // the dashboard's list of each function's last invocations, from their REPORT entries
  const recent = new RecentInvocations();
  const scheduler = new Scheduler({
    host,
    sandbox,
    onLog: (target, entry) => {
      logs.record(target.config.functionName, target.config, entry);
      recent.record(target.config.functionName, entry);
      // not console.log: it blocks the event loop while the agent's stdout is a full pipe
      if (entry.kind === "line") {
        functionLog.line(`[${target.config.functionName}:${target.version}] ${entry.message}`);
      }
    },
    grantCredentials: (target) => joinGrants(grantCredentials(target), grantAwsCredentials(target)),
    holdCode: (sha256) => code.hold(sha256),
    observer: observeAll(metrics.scheduler, activity.scheduler),
    admission: {
      ...(options.admission.memoryBudgetMb === null
        ? {}
        : { memoryBudgetBytes: options.admission.memoryBudgetMb * 1024 * 1024 }),
      startsPerCore: options.admission.startsPerCore,
    },
  });
  const control = createControlPlane({
    store,
    code,
    scheduler,
    sandbox,
    runtimes: host,
    defaults: { containerMode: options.defaultContainerMode },
    region: options.region,
    accountId: options.accountId,
    mqtt: options.mqtt,
  }, {
    events: {
      concurrency: options.asyncConcurrency,
      retryDelaysMs: options.eventRetryDelaysSeconds.map((seconds) => seconds * 1000),
      observer: observeAllEvents(metrics.events, activity.events),
    },
    deployments: { onFinished: (record) => activity.deployment(record) },
  });
  control.recover();
  const routeDeps = {
    ...control,
    keyring,
    httpRoutes: { routes: new RestRoutes(control), prefix: options.httpRoutes.prefix },
  };
  const dashboardDeps = {
    ...routeDeps,
    logs,
    capabilities,
    recent,
    region: options.region,
    accountId: options.accountId,
    startedAt: Date.now(),
  };
  const dashboard = options.dashboard.enabled
    ? createDashboard({
      ...dashboardDeps,
      eventSources: (origin: string) => eventSources(dashboardDeps, origin),
    }, { loopbackReadOnly: options.dashboard.loopbackReadOnly, secureCookies: options.tls !== null })
    : undefined;
  const app = createApi({
    ...(dashboard ? { dashboard } : {}),
    ...routeDeps,
    saveDefaultKey: (key: ApiKeyRecord) => saveDefaultKey(key),
    logs,
    metrics,
    awsCredentials,
    region: options.region,
    accountId: options.accountId,
    runtimes: host,
  });
  const server = Bun.serve({
    hostname: options.host,
    port: options.port,
    idleTimeout: 0,
    maxRequestBodySize: MAX_API_BODY_BYTES,
    ...(options.tls
      ? { tls: { cert: Bun.file(options.tls.certFile), key: Bun.file(options.tls.keyFile) } }
      : {}),
    // the server is the app's environment: function URLs tell their functions the caller's address
    fetch: (request, server) => app.fetch(request, { server }),
  });
  const port = server.port ?? options.port;
  const scheme = options.tls ? "https" : "http";
  const url = `${scheme}://${urlHost(options.host)}:${port}`;
  // API Gateway routes at the root of their own port, as `sam local start-api`; same host and TLS as the API
  const routesApp = options.httpRoutes.port === null ? null : createRestRouteApp({
    ...routeDeps,
    region: options.region,
    accountId: options.accountId,
  });
  const routesServer = routesApp && Bun.serve({
    hostname: options.host,
    port: options.httpRoutes.port!,
    idleTimeout: 0,
    maxRequestBodySize: MAX_API_BODY_BYTES,
    ...(options.tls
      ? { tls: { cert: Bun.file(options.tls.certFile), key: Bun.file(options.tls.keyFile) } }
      : {}),
    fetch: (request, server) => routesApp.fetch(request, { server }),
  });
  const routesUrl = routesServer ? `${scheme}://${urlHost(options.host)}:${routesServer.port}` : null;
  workerEndpoint = `${scheme}://${urlHost(isWildcard(options.host) ? "127.0.0.1" : options.host)}:${port}`;
  control.start();
  const saveDefaultKey = (key: ApiKeyRecord): string =>
    writeCredentialsFile(options.dataDir, { accessKeyId: key.accessKeyId, secretAccessKey: key.secret }, {
      region: options.region,
      url,
    });
  const credentialsFile = saveDefaultKey(keyring.defaultKey());
  // a fleet's hub: joined in the background (the agent serves whether or not the hub can be reached)
  const fleet = options.fleet
    ? (await import("./fleet/mod.ts")).startFleet(options.fleet, {
      dataDir: options.dataDir,
      store,
      code,
      deployments: control.deployments,
      scheduler,
      url,
      region: options.region,
      adminKey: () => {
        const key = keyring.defaultKey();
        return { accessKeyId: key.accessKeyId, secretAccessKey: key.secret };
      },
      fetch: async (request) => await app.fetch(request),
      isolation: sandbox.missing.length === 0
        ? "GreengrassContainer"
        : `NoContainer: ${sandbox.missing.map((item) => item.name).join(", ")}`,
    })
    : null;
  if (!options.tls && !isLoopback(options.host)) {
    console.warn(
      `lambdalet: listening on ${options.host} without TLS: signatures keep requests from being forged or changed, but anyone on the network can read them (payloads, results, function code). Serve HTTPS with --tls-cert and --tls-key`,
    );
  }
  if (options.tokenExchange && !options.tls && !isLoopback(options.host) && !isWildcard(options.host)) {
    console.warn(
      `lambdalet: functions reach the container credentials at ${workerEndpoint}, which the AWS SDKs refuse over plain HTTP to an address that is not loopback: listen on a loopback or wildcard address, or serve HTTPS`,
    );
  }
  return {
    url,
    credentialsFile,
    region: options.region,
    port,
    routesUrl,
    store,
    canIsolate: sandbox.missing.length === 0,
    fetch: async (request) => await app.fetch(request),
    async stop() {
      await fleet?.stop();
      await control.stop();
      await scheduler.drain();
      await scheduler.stop();
      activity.flush();
      await server.stop(true);
      await routesServer?.stop(true);
      await logs.flushed();
      code.close();
      store.close();
      lock.release();
    },
  };
}
