/** @module Wires the agent's parts together once: store, code, runtimes, scheduler, API and HTTP server. */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createApi, createEventPipeline, recoverInterruptedDeployments, startPinned } from "./api/mod.ts";
import { CodeStore } from "./code/mod.ts";
import type { AgentOptions } from "./config/mod.ts";
import { RuntimeHost } from "./runtimes/mod.ts";
import { detectHostCapabilities, Sandbox } from "./sandbox/mod.ts";
import { Scheduler } from "./scheduler/mod.ts";
import { openStore, type Store } from "./store/mod.ts";

/** A running agent. */
export interface Agent {
  /** Base URL of the API, such as `http://127.0.0.1:9001`. */
  url: string;
  /** The port actually listened on. */
  port: number;
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

/** Starts an agent with `options`: opens the data dir, installs runtimes and listens. */
export function startAgent(options: AgentOptions): Agent {
  // 0711: workers running as another user reach their code and runtime by path; nobody can list the folder
  mkdirSync(options.dataDir, { recursive: true, mode: 0o711 });
  chmodSync(options.dataDir, 0o711);
  const store = openStore(join(options.dataDir, "lambdalet.db"));
  const code = new CodeStore(join(options.dataDir, "code"), store.code);
  const host = RuntimeHost.install(join(options.dataDir, "runtimes"), options.interpreters);
  const sandbox = new Sandbox(detectHostCapabilities(), {
    dataDir: options.dataDir,
    fallback: options.containerFallback,
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
  const scheduler = new Scheduler({
    host,
    sandbox,
    onLog: (target, line) => console.log(`[${target.config.functionName}:${target.version}] ${line}`),
  });
  const base = { store, code, scheduler, region: options.region, accountId: options.accountId };
  const { dispatcher, enqueueEvent } = createEventPipeline(base, {
    concurrency: options.asyncConcurrency,
    retryDelaysMs: options.eventRetryDelaysSeconds.map((seconds) => seconds * 1000),
  });
  const deps = {
    ...base,
    enqueueEvent,
    wakeEvents: () => dispatcher.wake(),
    sandbox,
    defaults: { containerMode: options.defaultContainerMode },
    region: options.region,
    accountId: options.accountId,
  };
  recoverInterruptedDeployments(deps);
  const app = createApi(deps);
  const server = Bun.serve({
    hostname: options.host,
    port: options.port,
    idleTimeout: 0,
    maxRequestBodySize: MAX_API_BODY_BYTES,
    fetch: (request) => app.fetch(request),
  });
  const port = server.port ?? options.port;
  dispatcher.start();
  for (const name of new Set(store.functions.listAllVersions().map((config) => config.functionName))) {
    void startPinned(deps, name);
  }
  const host4url = options.host.includes(":") && !options.host.startsWith("[")
    ? `[${options.host}]`
    : options.host;
  return {
    url: `http://${host4url}:${port}`,
    port,
    store,
    canIsolate: sandbox.missing.length === 0,
    fetch: async (request) => await app.fetch(request),
    async stop() {
      await dispatcher.stop();
      await scheduler.drain();
      await scheduler.stop();
      await server.stop(true);
      store.close();
    },
  };
}
