/** @module The agent's own settings: where it listens, where it keeps state, how it names things, what it runs. */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { type FleetOptions, parseFleetOptions } from "./fleet-options.ts";
import { type MqttOptions, MqttOptionsSchema, resolveMqttOptions } from "./mqtt-options.ts";
import { type LogOptions, LogOptionsSchema, resolveLogOptions } from "./log-options.ts";
import { RUNTIME_FAMILIES } from "./runtimes.ts";
import { parseTokenExchange, type TokenExchangeOptions } from "./token-exchange.ts";
import { formatIssues } from "./validation-issues.ts";

/** Agent options that cannot be used: a bad value, a missing pair, an unreadable or non-JSON config file. */
export class AgentOptionsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AgentOptionsError";
  }
}

/** Settings of a running agent, after validation and defaults. */
export interface AgentOptions {
  /** Address to listen on. @default "127.0.0.1" */
  host: string;
  /** TCP port; 0 picks a free one. @default 9001 */
  port: number;
  /** Folder holding the SQLite file, code and runtimes. @default "/var/lib/lambdalet" as root, else "~/.local/share/lambdalet" */
  dataDir: string;
  /** The region named in ARNs and `AWS_REGION`. @default "us-east-1" */
  region: string;
  /** The account id named in ARNs. @default "000000000000" */
  accountId: string;
  /** PEM certificate chain and key files: serve HTTPS. Both or neither. @default null */
  tls: { certFile: string; keyFile: string } | null;
  /**
   * The interpreter program (a name on PATH or an absolute path) of runtime ids mapped explicitly; the others get
   * a program of their version, else the nearest version the host has. @default {}
   */
  interpreters: Record<string, string>;
  /** Refuse functions whose runtime version the host cannot run exactly, instead of running the nearest. @default false */
  strictRuntimeVersions: boolean;
  /** Run GreengrassContainer functions without a container when the host cannot isolate. @default null */
  containerFallback: "NoContainer" | null;
  /** The container mode of functions that do not name one. @default "GreengrassContainer" */
  defaultContainerMode: "GreengrassContainer" | "NoContainer";
  /** Event invocations running at once; synchronous callers keep the rest of the workers. @default 4 */
  asyncConcurrency: number;
  /** Waits before the retries of a failed Event invocation, in seconds. @default [60, 120] (Lambda's) */
  eventRetryDelaysSeconds: number[];
  /** The uids functions run as, one each (its gid has the same number). @default { first: 70000, count: 30000 } */
  functionUidRange: UidRange;
  /** Accept a `posixUser` of uid or gid 0 (Greengrass's option of the same name). @default false */
  allowFunctionsToRunAsRoot: boolean;
  /** Where functions' API Gateway REST routes (`Edge.http`) are served. @default { prefix: "/api", port: null } */
  httpRoutes: HttpRoutesOptions;
  /** Caps of functions' stored logs. @default { maxBytesPerFunction: 10 MiB, maxTotalBytes: 1 GiB } */
  logs: LogOptions;
  /** The agent's own log: `text` (for a terminal) or `json` lines; null picks by whether stdout is a terminal. @default null */
  logFormat: "text" | "json" | null;
  /** The MQTT bridge to a broker (AWS IoT Core or another): `IOT_CORE` event sources and topic mappings. @default null (no bridge) */
  mqtt: MqttOptions | null;
  /**
   * Where the AWS credentials of functions with `Edge.awsCredentials` come from (Greengrass's TokenExchangeService):
   * a key pair, a shared-credentials profile or AWS IoT's credentials provider. @default null (none are served)
   */
  tokenExchange: TokenExchangeOptions | null;
  /** The NATS hub of a fleet this device belongs to: desired deployments, status, remote invokes. @default null */
  fleet: FleetOptions | null;
  /** The dashboard at `/dashboard` on the API port. @default { enabled: true, loopbackReadOnly: false } */
  dashboard: DashboardSettings;
  /**
   * How many workers may start: a memory budget all workers share (in MB; what a worker of each runtime is
   * expected to use, never past its MemorySize, is charged) and the workers starting at once per core.
   * @default { memoryBudgetMb: null (75% of MemAvailable at start), startsPerCore: 1 }
   */
  admission: AdmissionSettings;
}

/** The agent-wide admission of new workers. */
export interface AdmissionSettings {
  /** MB all workers together may be expected to use; null takes 75% of the host's MemAvailable at start. */
  memoryBudgetMb: number | null;
  /** Workers starting at once, per core. */
  startsPerCore: number;
}

/** Whether the dashboard is served, and to whom without sign-in. */
export interface DashboardSettings {
  /** Serve the dashboard (for admins signed in with their key). @default true */
  enabled: boolean;
  /** Show its pages read-only, without sign-in, to callers on this host (a loopback TCP peer). @default false */
  loopbackReadOnly: boolean;
}

/** Where functions' API Gateway REST routes are served. */
export interface HttpRoutesOptions {
  /** The path prefix they are served under on the API port (`/api/items/42` is the route `/items/42`). @default "/api" */
  prefix: string;
  /** A second port (same host and TLS) serving them at its root, as `sam local start-api`; 0 picks one. @default null */
  port: number | null;
}

/** The first path segments of the API's own paths: a routes prefix may not start with one. */
const API_PATH_SEGMENTS = ["lambdalet", "url", "status", "healthz", "topics", "dashboard"];

/** Whether `prefix` starts with a path of the API (`/2015-03-31`, `/lambdalet`, `/url`, `/status`, …). */
function isApiPath(prefix: string): boolean {
  const first = prefix.split("/")[1] ?? "";
  return /^\d{4}-\d{2}-\d{2}$/.test(first) || API_PATH_SEGMENTS.includes(first);
}

/** A block of uids: `first` to `first + count - 1`. */
export interface UidRange {
  /** The lowest uid. */
  first: number;
  /** How many uids. */
  count: number;
}

/**
 * 70000-99999: above 65535, so clear of regular users (1000-60000), system users (below 1000), systemd-homed
 * (60001-60513), systemd's DynamicUser range (61184-65519), nobody (65534) and the 16-bit -1 (65535); below 100000,
 * where `useradd` starts the /etc/subuid ranges of rootless containers, and far below systemd-nspawn's container
 * ranges (from 524288).
 */
export const DEFAULT_FUNCTION_UID_RANGE: Readonly<UidRange> = { first: 70000, count: 30000 };

/** The highest uid a range may reach: uids from 2^31 on trip signed-integer bugs in many programs. */
const MAX_FUNCTION_UID = 2 ** 31 - 1;

/** Whether `range` holds none of the uids Linux gives a meaning: 0, nobody (65534) and the 16-bit -1 (65535). */
function isUsableUidRange(range: UidRange): boolean {
  const last = range.first + range.count - 1;
  return last <= MAX_FUNCTION_UID && !(range.first <= 65535 && last >= 65534);
}

/** The data dir used when none is given: `$LAMBDALET_DATA_DIR`, else system-wide as root, per user otherwise. */
export function defaultDataDir(): string {
  if (process.env.LAMBDALET_DATA_DIR) return process.env.LAMBDALET_DATA_DIR;
  if (process.getuid?.() === 0) return "/var/lib/lambdalet";
  return join(homedir(), ".local", "share", "lambdalet");
}

const PortSchema = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number"), v.transform(Number))]),
  v.integer("must be a whole number"),
  v.minValue(0, "must be ≥ 0"),
  v.maxValue(65535, "must be ≤ 65535"),
);

/** The schema of agent options as they come from CLI flags or the config file. */
export const AgentOptionsSchema = v.strictObject({
  host: v.optional(v.pipe(v.string(), v.minLength(1))),
  port: v.optional(PortSchema),
  dataDir: v.optional(v.pipe(v.string(), v.minLength(1))),
  region: v.optional(v.pipe(v.string(), v.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must look like us-east-1"))),
  accountId: v.optional(v.pipe(v.string(), v.regex(/^\d{12}$/, "must be 12 digits"))),
  tlsCert: v.optional(v.pipe(v.string(), v.minLength(1))),
  tlsKey: v.optional(v.pipe(v.string(), v.minLength(1))),
  containerFallback: v.optional(v.picklist(["NoContainer"], "must be NoContainer")),
  defaultContainerMode: v.optional(
    v.picklist(["GreengrassContainer", "NoContainer"], "must be GreengrassContainer or NoContainer"),
  ),
  asyncConcurrency: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1, "must be ≥ 1"), v.maxValue(1000, "must be ≤ 1000")),
  ),
  eventRetryDelaysSeconds: v.optional(v.pipe(
    v.array(v.pipe(v.number(), v.minValue(0, "must be ≥ 0"), v.maxValue(3600, "must be ≤ 3600"))),
    v.minLength(1, "must list at least one delay"),
  )),
  functionUidRange: v.optional(v.pipe(
    v.strictObject({
      first: v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(1, "must be ≥ 1")),
      count: v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(1, "must be ≥ 1")),
    }),
    v.check(
      isUsableUidRange,
      `must end at or below ${MAX_FUNCTION_UID} and hold neither 65534 (nobody) nor 65535`,
    ),
  )),
  allowFunctionsToRunAsRoot: v.optional(v.boolean()),
  httpRoutes: v.optional(v.strictObject({
    prefix: v.optional(v.pipe(
      v.string(),
      v.regex(
        /^(\/[A-Za-z0-9._~-]+)+$/,
        "must be a path such as /api: a leading /, segments of letters, digits, . _ ~ -, no trailing /",
      ),
      v.check(
        (prefix) => !isApiPath(prefix),
        "must not start with a path of the API (/2015-03-31 and other dates, /lambdalet, /url, /status, /healthz, /topics, /dashboard)",
      ),
    )),
    port: v.optional(v.nullable(PortSchema)),
  })),
  strictRuntimeVersions: v.optional(v.boolean()),
  logs: v.optional(LogOptionsSchema),
  logFormat: v.optional(v.picklist(["text", "json"], "must be text or json")),
  mqtt: v.optional(MqttOptionsSchema),
  // checked by parseTokenExchange, whose messages never quote a secret
  tokenExchange: v.optional(v.unknown()),
  // checked by parseFleetOptions, whose messages never quote a secret
  fleet: v.optional(v.unknown()),
  dashboard: v.optional(v.strictObject({
    enabled: v.optional(v.boolean()),
    loopbackReadOnly: v.optional(v.boolean()),
  })),
  admission: v.optional(v.strictObject({
    memoryBudgetMb: v.optional(
      v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(16, "must be ≥ 16")),
    ),
    startsPerCore: v.optional(
      v.pipe(v.number(), v.minValue(0.25, "must be ≥ 0.25"), v.maxValue(64, "must be ≤ 64")),
    ),
  })),
  runtimes: v.optional(v.record(
    v.pipe(v.string(), v.check((id) => id in RUNTIME_FAMILIES, "must be a known runtime id")),
    v.pipe(v.string(), v.minLength(1, "must name an interpreter")),
  )),
});

/** Raw agent options: from a config file, flags, or both. */
export type AgentOptionsInput = v.InferInput<typeof AgentOptionsSchema>;

/** Loopback addresses: traffic to them never leaves the device. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Validates raw options and applies defaults; throws an {@linkcode AgentOptionsError} naming the bad option. */
export function resolveAgentOptions(raw: unknown, source = "the agent"): AgentOptions {
  const result = v.safeParse(AgentOptionsSchema, raw);
  if (!result.success) {
    throw new AgentOptionsError(
      `Cannot start ${source} as ${formatIssues(result.issues, { style: "setting", subject: "options" })}`,
    );
  }
  const input = result.output;
  const options: AgentOptions = {
    host: input.host ?? "127.0.0.1",
    port: input.port ?? 9001,
    dataDir: input.dataDir ?? defaultDataDir(),
    region: input.region ?? "us-east-1",
    accountId: input.accountId ?? "000000000000",
    tls: input.tlsCert !== undefined && input.tlsKey !== undefined
      ? { certFile: input.tlsCert, keyFile: input.tlsKey }
      : null,
    interpreters: { ...input.runtimes },
    strictRuntimeVersions: input.strictRuntimeVersions ?? false,
    containerFallback: input.containerFallback ?? null,
    defaultContainerMode: input.defaultContainerMode ?? "GreengrassContainer",
    asyncConcurrency: input.asyncConcurrency ?? 4,
    eventRetryDelaysSeconds: input.eventRetryDelaysSeconds ?? [60, 120],
    functionUidRange: input.functionUidRange ?? { ...DEFAULT_FUNCTION_UID_RANGE },
    allowFunctionsToRunAsRoot: input.allowFunctionsToRunAsRoot ?? false,
    httpRoutes: { prefix: input.httpRoutes?.prefix ?? "/api", port: input.httpRoutes?.port ?? null },
    logs: resolveLogOptions(input.logs),
    logFormat: input.logFormat ?? null,
    mqtt: input.mqtt ? resolveMqttOptions(input.mqtt) : null,
    tokenExchange: null,
    fleet: null,
    dashboard: {
      enabled: input.dashboard?.enabled ?? true,
      loopbackReadOnly: input.dashboard?.loopbackReadOnly ?? false,
    },
    admission: {
      memoryBudgetMb: input.admission?.memoryBudgetMb ?? null,
      startsPerCore: input.admission?.startsPerCore ?? 1,
    },
  };
  if (
    options.httpRoutes.port !== null && options.httpRoutes.port !== 0 &&
    options.httpRoutes.port === options.port
  ) {
    throw new AgentOptionsError(
      `Cannot start ${source} as 'httpRoutes.port' must differ from 'port': current value is ${options.port}`,
    );
  }
  if (input.tokenExchange !== undefined) {
    const parsed = parseTokenExchange(input.tokenExchange);
    if (!parsed.ok) throw new AgentOptionsError(`Cannot start ${source} as ${parsed.message}`);
    options.tokenExchange = parsed.options;
  }
  if (input.fleet !== undefined) {
    const parsed = parseFleetOptions(input.fleet);
    if (!parsed.ok) throw new AgentOptionsError(`Cannot start ${source} as ${parsed.message}`);
    options.fleet = parsed.options;
  }
  if ((input.tlsCert === undefined) !== (input.tlsKey === undefined)) {
    throw new AgentOptionsError(
      `Cannot start ${source} as TLS needs both 'tlsCert' and 'tlsKey' (--tls-cert and --tls-key)`,
    );
  }
  return options;
}

/**
 * Reads an agent config file (JSON) and merges `overrides` (flags) over it; throws an {@linkcode AgentOptionsError}
 * when the file cannot be read or parsed, or an option is bad.
 */
export function loadAgentOptions(path: string | undefined, overrides: Record<string, unknown>): AgentOptions {
  let file: Record<string, unknown> = {};
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new AgentOptionsError(
        `Cannot read the config file ${path}: ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
    try {
      file = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new AgentOptionsError(
        `Cannot parse the config file ${path} as JSON: ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const merged: Record<string, unknown> = { ...file, ...defined };
  // a flag sets one member of an object option; the file's other members stay
  for (const [name, value] of Object.entries(defined)) {
    if (isPlainObject(value) && isPlainObject(file[name])) merged[name] = { ...file[name], ...value };
  }
  return resolveAgentOptions(
    merged,
    path === undefined ? "the agent" : `the agent with ${path}`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
