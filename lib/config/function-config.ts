/** @module The configuration of one function version, as lambdalet stores and runs it. */
import { LambdaError } from "../errors/mod.ts";
import { EDGE_DEFAULTS, type EdgeConfig, mergeEdge } from "./edge-config.ts";
import type { CreateFunctionInput, UpdateFunctionConfigurationInput } from "./function-input.ts";
import { RUNTIME_FAMILIES } from "./runtimes.ts";

/** Everything needed to describe and run one version of a function. */
export interface FunctionConfig {
  /** The function's name, unique on this agent. */
  functionName: string;
  /** A runtime id such as `nodejs20.x`. */
  runtime: string;
  /** The handler, such as `index.handler`. */
  handler: string;
  /** The execution role ARN the client sent; kept for the clients, unused on a device. */
  role: string;
  /** Free text. @default "" */
  description: string;
  /** Seconds an invocation may run. @default 3 */
  timeout: number;
  /** Memory in MB, reported to the function. @default 128 */
  memorySize: number;
  /** Whether a client set `MemorySize` (then it is also the container's limit, unless memorySizeInKB is set). */
  memorySizeSet?: boolean;
  /** The function's own environment variables. @default {} */
  environment: Record<string, string>;
  /** Hex SHA-256 of the code zip. */
  codeSha256: string;
  /** Size of the code zip in bytes. */
  codeSize: number;
  /** When this version last changed, in Lambda's `2024-01-11T09:49:02.956+0000` format. */
  lastModified: string;
  /** Changes whenever the configuration or code changes. */
  revisionId: string;
  /** Size of /tmp in MB (Lambda's `EphemeralStorage.Size`). @default 512 */
  ephemeralStorageSize: number;
  /** `Text` or `JSON` (Lambda's `LoggingConfig.LogFormat`). @default "Text" */
  logFormat: "Text" | "JSON";
  /** The lowest application log level kept, JSON format only (`LoggingConfig.ApplicationLogLevel`). @default "INFO" */
  applicationLogLevel?: "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";
  /** The lowest platform log level kept, JSON format only (`LoggingConfig.SystemLogLevel`). @default "INFO" */
  systemLogLevel?: "DEBUG" | "INFO" | "WARN";
  /** The Greengrass settings. */
  edge: EdgeConfig;
  /** The layer versions merged under /opt, in order (later ones override earlier ones). @default [] */
  layers?: FunctionLayer[];
}

/** One layer version a function version uses, as it was when named (it keeps working after the layer is deleted). */
export interface FunctionLayer {
  /** The layer version's ARN. */
  arn: string;
  /** Hex SHA-256 of the layer's zip. */
  sha256: string;
  /** Size of the zip in bytes (`Layers[].CodeSize`). */
  codeSize: number;
  /** Sum of its extracted files' sizes, counted against Lambda's 250 MB with the function's own. */
  unzippedSize: number;
}

/** Defaults that Lambda applies when a client leaves a member out. */
export const FUNCTION_DEFAULTS = {
  timeout: 3,
  memorySize: 128,
  description: "",
  ephemeralStorageSize: 512,
  logFormat: "Text",
} as const;

/** Formats a date as Lambda formats `LastModified`: `2024-01-11T09:49:02.956+0000`. */
export function lambdaTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace("Z", "+0000");
}

/** The code a version runs, as the code store reports it. */
export interface CodeRef {
  /** Hex SHA-256 of the zip. */
  sha256: string;
  /** Size of the zip in bytes. */
  size: number;
}

/** Defaults that the agent's own configuration decides. */
export interface AgentFunctionDefaults {
  /** The container mode of functions that do not say. @default "GreengrassContainer" */
  containerMode: EdgeConfig["containerMode"];
}

/** The default memory limit of a container worker: 16 MB, as Greengrass. */
export const DEFAULT_CONTAINER_MEMORY_KB = 16384;

/** A container worker's memory limit: `memorySizeInKB`, else `MemorySize` when a client set it, else 16 MB. */
export function containerMemoryKb(config: FunctionConfig): number {
  return config.edge.containerParams.memorySizeInKB ??
    (config.memorySizeSet ? config.memorySize * 1024 : DEFAULT_CONTAINER_MEMORY_KB);
}

/** Builds the `$LATEST` configuration of a new function. */
export function configFromCreate(
  input: CreateFunctionInput,
  code: CodeRef,
  defaults: AgentFunctionDefaults = { containerMode: EDGE_DEFAULTS.containerMode },
): FunctionConfig {
  return {
    functionName: input.FunctionName,
    runtime: input.Runtime,
    handler: input.Handler,
    role: input.Role,
    description: input.Description,
    timeout: input.Timeout,
    memorySize: input.MemorySize ?? FUNCTION_DEFAULTS.memorySize,
    memorySizeSet: input.MemorySize !== undefined,
    environment: input.Environment.Variables,
    codeSha256: code.sha256,
    codeSize: code.size,
    lastModified: lambdaTimestamp(),
    revisionId: crypto.randomUUID(),
    ephemeralStorageSize: input.EphemeralStorage?.Size ?? FUNCTION_DEFAULTS.ephemeralStorageSize,
    ...loggingOf({ logFormat: FUNCTION_DEFAULTS.logFormat }, input.LoggingConfig),
    edge: concurrencyChecked(
      input.Runtime,
      mergeEdge({ ...EDGE_DEFAULTS, containerMode: defaults.containerMode }, withCapacityConcurrency(input)),
    ),
  };
}

/**
 * The `Edge` member with Lambda Managed Instances' `PerExecutionEnvironmentMaxConcurrency` taken as its
 * `maxConcurrency` (an `Edge.maxConcurrency` given too wins).
 */
function withCapacityConcurrency(
  input: UpdateFunctionConfigurationInput,
): UpdateFunctionConfigurationInput["Edge"] {
  const perEnvironment = input.CapacityProviderConfig?.LambdaManagedInstancesCapacityProviderConfig
    .PerExecutionEnvironmentMaxConcurrency;
  if (perEnvironment === undefined) return input.Edge;
  return { ...input.Edge, maxConcurrency: input.Edge?.maxConcurrency ?? perEnvironment };
}

/**
 * `edge`, once its `maxConcurrency` is known to be one the runtime's bootstrap can run (not Java's: one at a time)
 * and the lifecycle can use (not a pinned function's: its invocations run one at a time, in order).
 */
function concurrencyChecked(runtime: string, edge: EdgeConfig): EdgeConfig {
  if (edge.maxConcurrency > 1 && edge.pinned) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `Edge.maxConcurrency ${edge.maxConcurrency} needs an on-demand function: a pinned function runs its invocations one at a time, in arrival order (set pinned to false, or maxConcurrency to 1)`,
    );
  }
  if (edge.maxConcurrency > 1 && RUNTIME_FAMILIES[runtime] === "java") {
    throw new LambdaError(
      "InvalidParameterValueException",
      `Edge.maxConcurrency ${edge.maxConcurrency} is not available for ${runtime}: lambdalet's Java runtime runs one invocation at a time per worker (set maxConcurrency to 1, or use a nodejs, bun, python or provided runtime)`,
    );
  }
  return edge;
}

/** Applies an UpdateFunctionConfiguration body: given members replace, the rest stay; a new revision. */
export function applyConfigurationUpdate(
  config: FunctionConfig,
  input: UpdateFunctionConfigurationInput,
): FunctionConfig {
  return {
    ...config,
    runtime: input.Runtime ?? config.runtime,
    handler: input.Handler ?? config.handler,
    role: input.Role ?? config.role,
    description: input.Description ?? config.description,
    timeout: input.Timeout ?? config.timeout,
    memorySize: input.MemorySize ?? config.memorySize,
    memorySizeSet: config.memorySizeSet === true || input.MemorySize !== undefined,
    environment: input.Environment ? input.Environment.Variables : config.environment,
    ephemeralStorageSize: input.EphemeralStorage?.Size ?? config.ephemeralStorageSize,
    ...loggingOf(config, input.LoggingConfig),
    edge: concurrencyChecked(
      input.Runtime ?? config.runtime,
      mergeEdge(config.edge, withCapacityConcurrency(input)),
    ),
    lastModified: lambdaTimestamp(),
    revisionId: crypto.randomUUID(),
  };
}

/** The members of `LoggingConfig` a configuration keeps. */
type Logging = Pick<FunctionConfig, "logFormat" | "applicationLogLevel" | "systemLogLevel">;

/**
 * The logging settings after `input` over `current`, as Lambda applies them: log levels only with the JSON format
 * (a level asked of a Text function is refused), and switching to Text clears them.
 */
function loggingOf(current: Logging, input: CreateFunctionInput["LoggingConfig"]): Logging {
  const logFormat = input?.LogFormat ?? current.logFormat;
  const levels = input?.ApplicationLogLevel !== undefined || input?.SystemLogLevel !== undefined;
  if (logFormat === "Text" && levels) {
    throw new LambdaError(
      "InvalidParameterValueException",
      "ApplicationLogLevel and SystemLogLevel can be set only when LogFormat is JSON: set LogFormat to JSON or leave the levels out",
    );
  }
  if (logFormat === "Text") return { logFormat };
  const applicationLogLevel = input?.ApplicationLogLevel ?? current.applicationLogLevel;
  const systemLogLevel = input?.SystemLogLevel ?? current.systemLogLevel;
  return {
    logFormat,
    ...(applicationLogLevel === undefined ? {} : { applicationLogLevel }),
    ...(systemLogLevel === undefined ? {} : { systemLogLevel }),
  };
}

/** Points a configuration at new code, with a new revision. */
export function applyCodeUpdate(config: FunctionConfig, code: CodeRef): FunctionConfig {
  return {
    ...config,
    codeSha256: code.sha256,
    codeSize: code.size,
    lastModified: lambdaTimestamp(),
    revisionId: crypto.randomUUID(),
  };
}
