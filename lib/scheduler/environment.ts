/** @module The environment a worker starts with: the function's variables under Lambda's reserved ones. */
import { RUNTIME_FAMILIES } from "../config/mod.ts";
import { greengrassEnvironment, type LaunchCommand } from "../runtimes/mod.ts";
import type { FunctionTarget } from "./target.ts";

/** Lambda's PATH inside an execution environment, with the layers' folder (/opt) given. */
const lambdaPath = (opt: string) => ["/usr/local/bin", "/usr/bin", "/bin", `${opt}/bin`];
/**
 * Lambda's library search path with the worker's own folders for /var/runtime, /var/task and /opt (a container
 * rewrites them to those names): a NoContainer worker then finds the native libraries its zip carries in `lib/`.
 */
const lambdaLdLibraryPath = (runtime: string, task: string, opt: string) =>
  `/var/lang/lib:/lib64:/usr/lib64:${runtime}:${runtime}/lib:${task}:${task}/lib:${opt}/lib`;

/** Options of {@linkcode workerEnvironment}. */
export interface WorkerEnvironmentOptions {
  /** `host:port` of the worker's Runtime API. */
  runtimeApi: string;
  /** The folder holding the bootstraps. */
  runtimeDir: string;
  /** The launch command, for its PATH additions. */
  launch: LaunchCommand;
  /** The worker's log stream name. */
  logStreamName: string;
  /** `AWS_LAMBDA_INITIALIZATION_TYPE`: started for an invocation, or ahead of any as provisioned concurrency. */
  initializationType?: InitializationType;
}

/** Why a worker was started, as Lambda tells the runtime in `AWS_LAMBDA_INITIALIZATION_TYPE`. */
export type InitializationType = "on-demand" | "provisioned-concurrency";

/** Builds a worker's complete environment; reserved names always win over the function's own. */
export function workerEnvironment(
  target: FunctionTarget,
  options: WorkerEnvironmentOptions,
): Record<string, string> {
  const { config } = target;
  const maxConcurrency = config.edge.maxConcurrency ?? 1;
  const environment: Record<string, string> = {
    // an agent run under qemu-user hands the emulator's library prefix to workers it runs the same way (bun1.x)
    ...(process.env.QEMU_LD_PREFIX ? { QEMU_LD_PREFIX: process.env.QEMU_LD_PREFIX } : {}),
    LANG: "en_US.UTF-8",
    // a function's own uid has no passwd entry: without HOME, libraries that look for a home (the AWS SDKs'
    // ~/.aws) fail; /tmp is where a Lambda function may write
    HOME: "/tmp",
    // the layers' real folder (a container rewrites it to /opt): NoContainer workers cannot see /opt
    PATH: [...options.launch.pathDirs, ...lambdaPath(target.optDir ?? "/opt")].join(":"),
    LD_LIBRARY_PATH: lambdaLdLibraryPath(options.runtimeDir, target.codeDir, target.optDir ?? "/opt"),
    // NODE_PATH (the SDK pack, after the function's own node_modules) is not reserved on Lambda: a function may set it
    ...options.launch.defaults,
    ...config.environment,
    ...options.launch.env,
    ...(config.edge.inputPayloadEncodingType === "binary" ? { LAMBDALET_PAYLOAD_ENCODING: "binary" } : {}),
    // what the Greengrass Core SDKs read (MY_FUNCTION_ARN...), in the runtimes that carry their IPC modules
    ...(hasGreengrassModules(config.runtime)
      ? greengrassEnvironment(target.functionArn, target.version)
      : {}),
    _HANDLER: config.handler,
    AWS_REGION: target.region,
    AWS_DEFAULT_REGION: target.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: config.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: target.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: options.logStreamName,
    // as on Lambda: runtimes and logging libraries (Powertools) write structured records, and filter by level
    AWS_LAMBDA_LOG_FORMAT: config.logFormat,
    ...(config.logFormat === "JSON" ? { AWS_LAMBDA_LOG_LEVEL: config.applicationLogLevel ?? "INFO" } : {}),
    AWS_LAMBDA_INITIALIZATION_TYPE: options.initializationType ?? "on-demand",
    // as on Lambda Managed Instances: how many invocations the runtime may fetch at once (only when more than one)
    ...(maxConcurrency > 1 ? { AWS_LAMBDA_MAX_CONCURRENCY: String(maxConcurrency) } : {}),
    AWS_LAMBDA_RUNTIME_API: options.runtimeApi,
    LAMBDA_TASK_ROOT: target.codeDir,
    LAMBDA_RUNTIME_DIR: options.runtimeDir,
    TZ: ":UTC",
  };
  // the runtime runs as many invocations at once as this says: only the function's setting may say it
  if (maxConcurrency === 1) delete environment.AWS_LAMBDA_MAX_CONCURRENCY;
  return environment;
}

function hasGreengrassModules(runtime: string): boolean {
  const family = RUNTIME_FAMILIES[runtime];
  return family === "nodejs" || family === "python";
}

/** A log stream name as Lambda makes them: `2024/01/11/[$LATEST]<32 hex>`. */
export function logStreamName(version: string, date: Date = new Date()): string {
  const day = date.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[${version}]${crypto.randomUUID().replaceAll("-", "")}`;
}
