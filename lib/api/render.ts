/** @module Renders stored configuration in the Lambda API's JSON shapes. */
import { hexToBase64 } from "../code/mod.ts";
import { type FunctionConfig, HOST_ARCHITECTURE } from "../config/mod.ts";
import type { RuntimeResolution } from "../runtimes/mod.ts";
import type { PoolStatus } from "../scheduler/mod.ts";
import { type AliasRecord, LATEST } from "../store/mod.ts";
import { functionArn } from "../functions/mod.ts";

/** Options of {@linkcode renderConfiguration}. */
export interface RenderOptions {
  /** The region named in ARNs. */
  region: string;
  /** The account id named in ARNs. */
  accountId: string;
  /** The version shown. @default "$LATEST" */
  version?: string;
  /** What the version's workers are doing, shown as `EdgeStatus` when it has any. */
  status?: PoolStatus | undefined;
  /** The interpreter each runtime id resolved to at start, shown as `EdgeRuntime` (and `StateReason` when not exact). */
  runtimes?: { resolution(runtime: string): RuntimeResolution | undefined };
}

/**
 * The interpreter a function runs on. A version other than its runtime id's is told in `StateReason`, which
 * Lambda's API models (SDKs such as boto3 drop members it does not, like `EdgeRuntime`), while `State` stays
 * `Active` as the function does run; there is no `StateReasonCode` as none of Lambda's values means this.
 */
function runtimeMembers(resolution: RuntimeResolution | undefined): Record<string, unknown> {
  if (!resolution) return {};
  return {
    ...(resolution.warning ? { StateReason: resolution.warning } : {}),
    EdgeRuntime: {
      Program: resolution.program,
      Interpreter: resolution.interpreter?.path ?? null,
      Version: resolution.interpreter?.version ?? null,
      Matches: resolution.matches,
      Source: resolution.source,
    },
  };
}

/** A `FunctionConfiguration` object, as CreateFunction and GetFunctionConfiguration return it. */
export function renderConfiguration(config: FunctionConfig, options: RenderOptions): Record<string, unknown> {
  const version = options.version ?? LATEST;
  const qualifier = version === LATEST ? undefined : version;
  return {
    FunctionName: config.functionName,
    FunctionArn: functionArn(options.region, options.accountId, config.functionName, qualifier),
    Runtime: config.runtime,
    Role: config.role,
    Handler: config.handler,
    CodeSize: config.codeSize,
    Description: config.description,
    Timeout: config.timeout,
    MemorySize: config.memorySize,
    LastModified: config.lastModified,
    CodeSha256: hexToBase64(config.codeSha256),
    Version: version,
    ...(Object.keys(config.environment).length ? { Environment: { Variables: config.environment } } : {}),
    TracingConfig: { Mode: "PassThrough" },
    RevisionId: config.revisionId,
    State: "Active",
    ...runtimeMembers(options.runtimes?.resolution(config.runtime)),
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: [HOST_ARCHITECTURE],
    EphemeralStorage: { Size: config.ephemeralStorageSize },
    LoggingConfig: {
      LogFormat: config.logFormat,
      ...(config.logFormat === "JSON"
        ? {
          ApplicationLogLevel: config.applicationLogLevel ?? "INFO",
          SystemLogLevel: config.systemLogLevel ?? "INFO",
        }
        : {}),
      LogGroup: `/aws/lambda/${config.functionName}`,
    },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    ...(config.layers?.length
      ? { Layers: config.layers.map((layer) => ({ Arn: layer.arn, CodeSize: layer.codeSize })) }
      : {}),
    Edge: config.edge,
    ...(options.status ? { EdgeStatus: options.status } : {}),
  };
}

/** An `AliasConfiguration` object. */
export function renderAlias(
  alias: AliasRecord,
  options: Omit<RenderOptions, "version">,
): Record<string, unknown> {
  const weights = alias.additionalVersionWeights;
  return {
    AliasArn: functionArn(options.region, options.accountId, alias.functionName, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(Object.keys(weights).length ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
    RevisionId: alias.revisionId,
  };
}
