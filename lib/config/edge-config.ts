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
}

/** Processes and threads a worker may have unless its `Edge.maxProcesses` says otherwise: Lambda's quota. */
export const DEFAULT_MAX_PROCESSES = 1024;

/** Greengrass's defaults. */
export const EDGE_DEFAULTS: EdgeConfig = {
  pinned: false,
  containerMode: "GreengrassContainer",
  containerParams: { mountROSysfs: false, volumes: [], devices: [] },
  maxInstancesCount: 100,
  maxQueueSize: 1000,
  maxProcesses: DEFAULT_MAX_PROCESSES,
  maxIdleTimeInSeconds: 60,
  statusTimeoutInSeconds: 60,
  inputPayloadEncodingType: "json",
  invokeAuthType: "AWS_IAM",
  invokeFunctions: [],
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
const AbsolutePath = v.pipe(v.string(), v.regex(/^\/\S*$/, "must be an absolute path"));

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
