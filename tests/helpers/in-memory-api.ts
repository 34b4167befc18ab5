/**
 * @module The API app called in memory (`app.request`), built the way `lib/agent.ts` builds it over real parts (a
 * SQLite file, code store, keyring, runtimes, sandbox) with a double of the scheduler that starts no worker.
 */
import { expect } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { type ApiDeps, type ApiEnv, createApi } from "../../lib/api/mod.ts";
import { type ClientCredentials, Keyring, signRequest } from "../../lib/auth/mod.ts";
import { CodeStore } from "../../lib/code/mod.ts";
import { createDashboard, type DashboardOptions, RecentInvocations } from "../../lib/dashboard/mod.ts";
import { DEFAULT_FUNCTION_UID_RANGE } from "../../lib/config/mod.ts";
import { createControlPlane, type InvocationRunner } from "../../lib/functions/mod.ts";
import { RestRoutes } from "../../lib/http-triggers/mod.ts";
import type { InvocationOutcome, InvocationRequest } from "../../lib/runtime-api/mod.ts";
import { RuntimeHost } from "../../lib/runtimes/mod.ts";
import { detectHostCapabilities, Sandbox } from "../../lib/sandbox/mod.ts";
import type {
  AdmissionStatus,
  FunctionTarget,
  InvocationResult,
  PoolStatus,
  VersionStatus,
} from "../../lib/scheduler/mod.ts";
import { type ApiKeyRecord, openStore, type Store } from "../../lib/store/mod.ts";
import { createBody, HANDLERS } from "./functions.ts";
import { expectLambdaError } from "./lambda-errors.ts";

/** The region and account every in-memory API names. */
export const REGION = "us-east-1";
/** The account id in every ARN of the in-memory API. */
export const ACCOUNT_ID = "000000000000";

/** The unqualified ARN of `name` (with `qualifier` when given), as the in-memory API names it. */
export function arnOf(name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** A successful outcome answering `body` (JSON-encoded unless it is already text). */
export function successOutcome(body: unknown): InvocationOutcome {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return { kind: "success", body: new TextEncoder().encode(text) };
}

/** A function error outcome, with Lambda's `{errorType, errorMessage}` body. */
export function errorOutcome(errorType: string, errorMessage: string): InvocationOutcome {
  return {
    kind: "error",
    errorType,
    body: new TextEncoder().encode(JSON.stringify({ errorType, errorMessage })),
  };
}

/** Checks that `response` is the Lambda error `type` with `status`, and that its message matches `message`. */
export async function expectError(
  response: Response,
  status: number,
  type: string,
  message: string | RegExp,
): Promise<void> {
  const body = await expectLambdaError(response, status, type);
  if (typeof message === "string") expect(body.message).toBe(message);
  else expect(body.message).toMatch(message);
}

/** A zip's bytes as the base64 text of `Code.ZipFile`. */
export function base64(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64");
}

/** One `invoke` the double received. */
export interface RecordedInvocation {
  target: FunctionTarget;
  request: InvocationRequest;
}

/** A `retire` the double received. */
export interface RecordedRetire {
  functionName: string;
  version: string | undefined;
}

/** A `provision` the double received. */
export interface RecordedProvision {
  target: FunctionTarget;
  count: number;
}

/**
 * Stands in for the scheduler where no worker is needed: records every call, answers `invoke` with
 * {@linkcode SchedulerDouble.answer} (by default the payload echoed back), `ensureStarted` with
 * {@linkcode SchedulerDouble.startState} and `provision` with {@linkcode SchedulerDouble.provisionAnswer}.
 */
export class SchedulerDouble implements InvocationRunner {
  /** Every invocation, in order. */
  readonly invocations: RecordedInvocation[] = [];
  /** Every target `ensureStarted` was asked to start, in order. */
  readonly started: FunctionTarget[] = [];
  /** Every `retire`, in order. */
  readonly retired: RecordedRetire[] = [];
  /** Every `provision`, in order. */
  readonly provisions: RecordedProvision[] = [];
  /** How a `provision` ends. @default every worker ready at once */
  provisionAnswer: (target: FunctionTarget, count: number) => Promise<{ ready: number; error?: string }> = (
    _target,
    count,
  ) => Promise.resolve({ ready: count });
  /** What `status()` and `statusOf()` report. @default [] */
  statuses: VersionStatus[] = [];
  /** The state every `ensureStarted` resolves with. @default "ready" */
  startState: PoolStatus["state"] = "ready";
  /** How an invocation ends. @default the payload echoed back as a success, with a one-line log */
  answer: (target: FunctionTarget, request: InvocationRequest) => InvocationResult = (target, request) => ({
    outcome: { kind: "success", body: request.payload },
    log: request.captureLog ? `START RequestId: ${request.requestId} Version: ${target.version}\n` : "",
  });
  #startWaiters: { name: string; resolve: (target: FunctionTarget) => void }[] = [];

  invoke(target: FunctionTarget, request: InvocationRequest): Promise<InvocationResult> {
    this.invocations.push({ target, request });
    return Promise.resolve(this.answer(target, request));
  }

  ensureStarted(target: FunctionTarget): Promise<PoolStatus["state"]> {
    this.started.push(target);
    const name = target.config.functionName;
    const waiting = this.#startWaiters.filter((waiter) => waiter.name === name);
    this.#startWaiters = this.#startWaiters.filter((waiter) => waiter.name !== name);
    for (const waiter of waiting) waiter.resolve(target);
    return Promise.resolve(this.startState);
  }

  retire(functionName: string, version?: string): void {
    this.retired.push({ functionName, version });
  }

  provision(target: FunctionTarget, count: number): Promise<{ ready: number; error?: string }> {
    this.provisions.push({ target, count });
    return this.provisionAnswer(target, count);
  }

  status(): VersionStatus[] {
    return this.statuses;
  }

  admission(): AdmissionStatus {
    return { budgetBytes: 1024 * 1024 * 1024, committedBytes: 0, starting: 0, maxStarting: 1, evictions: 0 };
  }

  statusOf(functionName: string, version: string): PoolStatus | undefined {
    return this.statuses.find((item) => item.functionName === functionName && item.version === version);
  }

  /** The retires of `functionName` so far. */
  retiresOf(functionName: string): RecordedRetire[] {
    return this.retired.filter((item) => item.functionName === functionName);
  }

  /**
   * Resolves with the first target of `functionName` that `ensureStarted` was asked to start from the call numbered
   * `from` on (counting from 0), waiting for it when there is none yet.
   */
  startedTarget(functionName: string, from = 0): Promise<FunctionTarget> {
    const done = this.started.slice(from).find((target) => target.config.functionName === functionName);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.#startWaiters.push({ name: functionName, resolve }));
  }
}

/** A response with its JSON body read (null for an empty body). */
export interface JsonResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** The API app over real parts, called in memory, signed with the admin key. */
export interface InMemoryApi {
  /** The Hono app. */
  app: Hono<ApiEnv>;
  /** The SQLite store under the app. */
  store: Store;
  /** The keys the app accepts. */
  keyring: Keyring;
  /** The scheduler double. */
  runner: SchedulerDouble;
  /** The dashboard's list of last invocations (when the dashboard was asked for). */
  recent: RecentInvocations;
  /** The admin key of the credentials file at the last save (rotation saves it again). */
  savedDefaultKey(): ApiKeyRecord;
  /** Sends a request signed with the admin key (or with `credentials`). */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    credentials?: ClientCredentials,
  ): Promise<Response>;
  /** Sends a request with no signature. */
  unsigned(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Sends a signed request and reads its JSON body. */
  json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<JsonResponse<T>>;
  /** Creates a nodejs function `name` (CreateFunction members in `extra`) and fails unless it answers 201. */
  createFunction(name: string, extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Closes the store and removes the temp dir. */
  close(): void;
}

function encodeBody(body: unknown): string | Uint8Array | undefined {
  if (body === undefined) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  return JSON.stringify(body);
}

/**
 * Builds the API app the way the agent does, in a temp dir: the store, code store, keyring, runtimes (no strict
 * versions), a sandbox that sets up no cgroups (so GreengrassContainer is never available and functions default to
 * NoContainer) and the control plane over a {@linkcode SchedulerDouble}. The control plane is never started.
 * `extra` adds optional parts the agent wires in (the container credentials service, the metrics, the dashboard with
 * its options).
 */
export async function openInMemoryApi(
  extra: Pick<ApiDeps, "awsCredentials" | "metrics"> & { dashboard?: DashboardOptions } = {},
): Promise<InMemoryApi> {
  const { dashboard: dashboardOptions, ...parts } = extra;
  const dir = mkdtempSync(join(tmpdir(), "lambdalet-api-"));
  const dataDir = join(dir, "data");
  const store = openStore(join(dir, "lambdalet.db"));
  const keyring = new Keyring(store.apiKeys);
  const code = new CodeStore(join(dir, "code"), store.code);
  const runtimes = await RuntimeHost.install(join(dir, "runtimes"), {}, { strictVersions: false });
  const capabilities = detectHostCapabilities({ setUpCgroups: false });
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  const sandbox = new Sandbox(capabilities, {
    dataDir,
    fallback: null,
    users: { allowRoot: false, functionUidRange: { ...DEFAULT_FUNCTION_UID_RANGE } },
  });
  const runner = new SchedulerDouble();
  const control = createControlPlane({
    store,
    code,
    scheduler: runner,
    sandbox,
    runtimes,
    defaults: { containerMode: "NoContainer" },
    region: REGION,
    accountId: ACCOUNT_ID,
  }, { events: { concurrency: 1, retryDelaysMs: [60_000] } });
  control.recover();
  // an enqueue wakes the Event queue even when it was never started: stopped, it leaves queued events alone
  await control.stop();
  let saved = keyring.defaultKey();
  const httpRoutes = { routes: new RestRoutes(control), prefix: "/api" };
  const recent = new RecentInvocations();
  const dashboard = dashboardOptions && createDashboard({
    ...control,
    keyring,
    capabilities,
    recent,
    region: REGION,
    accountId: ACCOUNT_ID,
    eventSources: () => [],
  }, dashboardOptions);
  const app = createApi({
    ...control,
    keyring,
    httpRoutes,
    ...(dashboard ? { dashboard } : {}),
    saveDefaultKey: (key: ApiKeyRecord) => {
      saved = key;
    },
    region: REGION,
    accountId: ACCOUNT_ID,
    runtimes,
    ...parts,
  });
  const admin = (): ClientCredentials => ({ accessKeyId: saved.accessKeyId, secretAccessKey: saved.secret });

  const unsigned = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> => {
    const encoded = encodeBody(body);
    return await app.request(`http://localhost${path}`, {
      method,
      headers,
      ...(encoded === undefined ? {} : { body: encoded }),
    });
  };

  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    credentials: ClientCredentials = admin(),
  ): Promise<Response> => {
    const url = `http://localhost${path}`;
    const encoded = encodeBody(body);
    const signed = await signRequest(
      { method, url, headers, ...(encoded === undefined ? {} : { body: encoded }) },
      credentials,
      REGION,
    );
    return await app.request(url, {
      method,
      headers: signed,
      ...(encoded === undefined ? {} : { body: encoded }),
    });
  };

  const json = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<JsonResponse<T>> => {
    const response = await request(method, path, body, headers);
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : null) as T,
    };
  };

  return {
    app,
    store,
    keyring,
    runner,
    recent,
    savedDefaultKey: () => saved,
    request,
    unsigned,
    json,
    async createFunction(name, extra = {}) {
      const created = await json<Record<string, unknown>>(
        "POST",
        "/2015-03-31/functions",
        createBody(name, HANDLERS.greeting, extra),
      );
      if (created.status !== 201) {
        throw new Error(`CreateFunction ${name} answered ${created.status}: ${JSON.stringify(created.body)}`);
      }
      return created.body;
    },
    close() {
      code.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
