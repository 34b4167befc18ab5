/** @module The `Edge` member: Greengrass's lifecycle and container settings, under their Greengrass names. */
import * as v from "valibot";

/** A host folder bind-mounted into a container function. */
export interface VolumeMount {
  /** The folder on the host. */
  sourcePath: string;
  /** Where the function sees it. */
  destinationPath: string;
  /** `ro` (default) or `rw`. */
  permission: "ro" | "rw";
}

/** A host device made available to a container function. */
export interface DeviceMount {
  /** The device node, such as `/dev/ttyUSB0`. */
  path: string;
  /** `ro` (default) or `rw`. */
  permission: "ro" | "rw";
}

/**
 * Whether a subscriber hears its own messages, as Greengrass's `receiveMode`: by default a function is not triggered
 * by what it publishes itself.
 */
export type ReceiveMode = "RECEIVE_MESSAGES_FROM_OTHERS" | "RECEIVE_ALL_MESSAGES";

/** A local topic a function is triggered by (Greengrass's `eventSources` entry of type `PUB_SUB`). */
export interface PubSubSource {
  type: "PUB_SUB";
  /** A topic filter: levels separated by `/`, `+` matches one level, `#` (last) any number, as MQTT. */
  topic: string;
  /** @default "RECEIVE_MESSAGES_FROM_OTHERS" */
  receiveMode: ReceiveMode;
}

/** A schedule a function is triggered by, in EventBridge Scheduler's expression syntax. */
export interface ScheduleSource {
  type: "SCHEDULE";
  /** `rate(5 minutes)`, `cron(0 12 * * ? *)` or `at(2026-12-01T08:00:00)`. */
  expression: string;
  /** An IANA time zone for `cron` and `at`, such as `Europe/Paris`. @default "UTC" */
  timezone: string;
  /** What to do with the fires missed while the agent was down: skip them, or run the last one. @default "NONE" */
  catchUp: "NONE" | "LAST";
}

/**
 * A topic on the MQTT broker of the agent's bridge (Greengrass's `eventSources` entry of type `IOT_CORE`): its
 * messages reach the function as Event invocations, in the order of its topic events.
 */
export interface IotCoreSource {
  type: "IOT_CORE";
  /** A topic filter on the broker: levels separated by `/`, `+` one level, `#` (last) any number; `$aws/…` allowed. */
  topic: string;
}

/** What triggers a function besides Invoke. */
export type EventSource = PubSubSource | ScheduleSource | IotCoreSource;

/** An API Gateway REST (payload 1.0) route a function serves, as `sam local start-api` and serverless-offline do. */
export interface HttpRoute {
  /** A resource path with `{name}` parameters and an optional last `{name+}` greedy one, such as `/items/{id}`. */
  path: string;
  /** An HTTP method, or `ANY`. */
  method: string;
  /**
   * Who may call the route: a SigV4 signature of a key that may invoke the function (`AWS_IAM`), or anyone (`NONE`),
   * as a function URL's AuthType. @default "AWS_IAM"
   */
  authType: "AWS_IAM" | "NONE";
}

/** Greengrass settings of a function, all resolved. */
export interface EdgeConfig {
  /** Long-lived (one worker started with the agent) rather than on-demand. @default false */
  pinned: boolean;
  /** How workers are isolated. @default "GreengrassContainer" (or the agent's `defaultContainerMode`) */
  containerMode: "GreengrassContainer" | "NoContainer";
  /** Container settings. */
  containerParams: {
    /** Memory limit in KB; when absent the limit follows `MemorySize` or the 16 MB default. */
    memorySizeInKB?: number;
    /** Mount /sys read-only in the container. @default false */
    mountROSysfs: boolean;
    /** Host folders to bind-mount. @default [] */
    volumes: VolumeMount[];
    /** Host devices to expose. @default [] */
    devices: DeviceMount[];
  };
  /** Workers that may run at once. @default 100 */
  maxInstancesCount: number;
  /** Invocations that may wait for a worker. @default 1000 */
  maxQueueSize: number;
  /**
   * Invocations one worker runs at once (Lambda Managed Instances' `PerExecutionEnvironmentMaxConcurrency`), told
   * to the runtime in `AWS_LAMBDA_MAX_CONCURRENCY`: the nodejs and bun bootstraps run them in one process, the
   * python one in that many processes forked after init; `provided` runtimes read the variable themselves.
   * @default 1
   */
  maxConcurrency: number;
  /**
   * Processes and threads one worker may have at once, both modes (the cgroup's `pids.max`, where the host has a
   * pids controller): a fork bomb stops there instead of taking the device. Lambda's own quota is 1024.
   * @default 1024
   */
  maxProcesses: number;
  /** Seconds an idle on-demand worker is kept warm. @default 60 */
  maxIdleTimeInSeconds: number;
  /** Seconds a starting worker may take to ask for its first invocation. @default 60 */
  statusTimeoutInSeconds: number;
  /** `json` parses the event; `binary` hands the raw bytes to the handler. @default "json" */
  inputPayloadEncodingType: "json" | "binary";
  /**
   * `uid:gid` or `user:group` to run as instead of the function's own uid, when the agent runs as root. Root (uid or
   * gid 0) needs the agent option `allowFunctionsToRunAsRoot`; a uid of `functionUidRange` is refused.
   */
  posixUser?: string;
  /** Whether Invoke needs a signature (`AWS_IAM`) or anyone may invoke (`NONE`), as a function URL's AuthType. @default "AWS_IAM" */
  invokeAuthType: "AWS_IAM" | "NONE";
  /** Functions whose workers get temporary credentials that may invoke exactly these (an execution role's allow-list). @default [] */
  invokeFunctions: string[];
  /** Local topics and schedules that trigger the function (Greengrass's `eventSources`). @default [] */
  eventSources: EventSource[];
  /** Topic filters the function may publish to with its own credentials (Greengrass's pub/sub `accessControl`). @default [] */
  publishTopics: string[];
  /** API Gateway REST routes the function serves. @default [] */
  http: HttpRoute[];
  /**
   * Whether its workers get AWS credentials from the agent's `tokenExchange` source, through the container
   * credentials variables (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, `AWS_CONTAINER_AUTHORIZATION_TOKEN`) that the AWS
   * SDKs read, as Greengrass's token exchange service gives them. @default false
   */
  awsCredentials: boolean;
}

/** Processes and threads a worker may have unless its `Edge.maxProcesses` says otherwise: Lambda's quota. */
export const DEFAULT_MAX_PROCESSES = 1024;

/** The most invocations one worker may run at once (`Edge.maxConcurrency`). */
export const MAX_CONCURRENCY = 64;

/** Greengrass's defaults. */
export const EDGE_DEFAULTS: EdgeConfig = {
  pinned: false,
  containerMode: "GreengrassContainer",
  containerParams: { mountROSysfs: false, volumes: [], devices: [] },
  maxInstancesCount: 100,
  maxQueueSize: 1000,
  maxConcurrency: 1,
  maxProcesses: DEFAULT_MAX_PROCESSES,
  maxIdleTimeInSeconds: 60,
  statusTimeoutInSeconds: 60,
  inputPayloadEncodingType: "json",
  invokeAuthType: "AWS_IAM",
  invokeFunctions: [],
  eventSources: [],
  publishTopics: [],
  http: [],
  awsCredentials: false,
};

function wholeNumber(min: number, max: number) {
  return v.pipe(
    v.number(),
    v.integer("must be a whole number"),
    v.minValue(min, `must be ≥ ${min}`),
    v.maxValue(max, `must be ≤ ${max}`),
  );
}

const PermissionSchema = v.optional(v.picklist(["ro", "rw"], "must be ro or rw"), "ro");
const AbsolutePath = v.pipe(
  v.string(),
  v.regex(/^\/\S*$/, "must be an absolute path"),
  // a `..` would reach out of the container's root when its mount point is made (as root, on the host)
  v.check((path) => !path.split("/").includes(".."), "must not contain '..'"),
);

/** Whether `filter` is an MQTT-style topic filter: non-empty levels, `+` alone in a level, `#` alone and last. */
export function isTopicFilter(filter: string): boolean {
  const levels = filter.split("/");
  return levels.every((level, index) =>
    level === "#" ? index === levels.length - 1 : level === "+" || !/[+#]/.test(level)
  ) && !filter.startsWith("$");
}

/** Whether `zone` is an IANA time zone this host knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const TopicFilterSchema = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.maxLength(256, "must be at most 256 characters"),
  v.check(
    isTopicFilter,
    "must be a topic filter: levels separated by /, + for a whole level, # only as the last level, no leading $",
  ),
);

const EventSourceSchema = v.variant("type", [
  v.strictObject({
    type: v.literal("PUB_SUB"),
    topic: TopicFilterSchema,
    receiveMode: v.optional(
      v.picklist(
        ["RECEIVE_MESSAGES_FROM_OTHERS", "RECEIVE_ALL_MESSAGES"],
        "must be RECEIVE_MESSAGES_FROM_OTHERS or RECEIVE_ALL_MESSAGES",
      ),
      "RECEIVE_MESSAGES_FROM_OTHERS",
    ),
  }),
  v.strictObject({
    type: v.literal("IOT_CORE"),
    topic: v.pipe(
      v.string(),
      v.minLength(1, "must not be empty"),
      v.maxLength(256, "must be at most 256 characters"),
      v.check(
        (filter) => isTopicFilter(filter.startsWith("$") ? filter.slice(1) : filter),
        "must be a topic filter: levels separated by /, + for a whole level, # only as the last level",
      ),
    ),
  }),
  v.strictObject({
    type: v.literal("SCHEDULE"),
    expression: v.pipe(
      v.string(),
      v.regex(/^(rate|cron|at)\(.*\)$/, "must be rate(...), cron(...) or at(...)"),
      v.maxLength(256, "must be at most 256 characters"),
    ),
    timezone: v.optional(
      v.pipe(v.string(), v.check(isTimeZone, "must be an IANA time zone such as Europe/Paris")),
      "UTC",
    ),
    catchUp: v.optional(v.picklist(["NONE", "LAST"], "must be NONE or LAST"), "NONE"),
  }),
], "type must be PUB_SUB, IOT_CORE or SCHEDULE");

const HttpRouteSchema = v.strictObject({
  path: v.pipe(
    v.string(),
    v.regex(
      /^\/([A-Za-z0-9._~:@!$&'()*,;=-]+|\{[A-Za-z0-9_]+\})?(\/([A-Za-z0-9._~:@!$&'()*,;=-]+|\{[A-Za-z0-9_]+\}))*(\/\{[A-Za-z0-9_]+\+\})?$|^\/\{[A-Za-z0-9_]+\+\}$/,
      "must be a resource path such as /items/{id} or /{proxy+} ({name+} only last)",
    ),
  ),
  method: v.pipe(
    v.string(),
    v.transform((method) => method.toUpperCase()),
    v.picklist(
      ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"],
      "must be an HTTP method or ANY",
    ),
  ),
  authType: v.optional(v.picklist(["AWS_IAM", "NONE"], "must be AWS_IAM or NONE"), "AWS_IAM"),
});

/** The `Edge` member as clients send it: every field optional; merged over the current or default settings. */
export const EdgeInputSchema = v.strictObject({
  pinned: v.optional(v.boolean()),
  containerMode: v.optional(
    v.picklist(["GreengrassContainer", "NoContainer"], "must be GreengrassContainer or NoContainer"),
  ),
  containerParams: v.optional(v.strictObject({
    memorySizeInKB: v.optional(wholeNumber(1024, 10240 * 1024)),
    mountROSysfs: v.optional(v.boolean()),
    volumes: v.optional(v.array(v.strictObject({
      sourcePath: AbsolutePath,
      destinationPath: AbsolutePath,
      permission: PermissionSchema,
    }))),
    devices: v.optional(v.array(v.strictObject({ path: AbsolutePath, permission: PermissionSchema }))),
  })),
  maxInstancesCount: v.optional(wholeNumber(1, 1000)),
  maxQueueSize: v.optional(wholeNumber(1, 100_000)),
  maxConcurrency: v.optional(wholeNumber(1, MAX_CONCURRENCY)),
  maxProcesses: v.optional(wholeNumber(1, 65_536)),
  maxIdleTimeInSeconds: v.optional(wholeNumber(1, 86_400)),
  statusTimeoutInSeconds: v.optional(wholeNumber(1, 3600)),
  inputPayloadEncodingType: v.optional(v.picklist(["json", "binary"], "must be json or binary")),
  posixUser: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/, "must be uid:gid or user:group")),
  ),
  invokeAuthType: v.optional(v.picklist(["AWS_IAM", "NONE"], "must be AWS_IAM or NONE")),
  invokeFunctions: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be function names"))),
      v.maxLength(100, "must name at most 100 functions"),
    ),
  ),
  eventSources: v.optional(
    v.pipe(v.array(EventSourceSchema), v.maxLength(50, "must have at most 50 entries")),
  ),
  publishTopics: v.optional(
    v.pipe(v.array(TopicFilterSchema), v.maxLength(50, "must have at most 50 entries")),
  ),
  http: v.optional(v.pipe(v.array(HttpRouteSchema), v.maxLength(100, "must have at most 100 routes"))),
  awsCredentials: v.optional(v.boolean()),
});

/** A validated `Edge` member. */
export type EdgeInput = v.InferOutput<typeof EdgeInputSchema>;

/** Merges `input` over `base`: top-level members replace, `containerParams` members replace one by one. */
export function mergeEdge(base: EdgeConfig, input: EdgeInput | undefined): EdgeConfig {
  if (!input) return base;
  const { containerParams, ...rest } = input;
  const merged: EdgeConfig = { ...base, ...stripUndefined(rest) };
  if (containerParams) {
    merged.containerParams = { ...base.containerParams, ...stripUndefined(containerParams) };
  }
  return merged;
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
