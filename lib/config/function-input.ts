/** @module The valibot schemas of CreateFunction, UpdateFunctionConfiguration and UpdateFunctionCode bodies. */
import * as v from "valibot";
import { EdgeInputSchema, MAX_CONCURRENCY } from "./edge-config.ts";
import { RUNTIME_FAMILIES, SUPPORTED_RUNTIMES } from "./runtimes.ts";

/** Names Lambda reserves for itself: a function may not set them. */
export const RESERVED_ENVIRONMENT_KEYS: ReadonlySet<string> = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

const ENVIRONMENT_LIMIT_BYTES = 4096;

/** A function name as CreateFunction accepts it: letters, digits, `-` and `_`, at most 64. */
export const FunctionNameSchema = v.pipe(
  v.string(),
  v.minLength(1, "Member must have length greater than or equal to 1"),
  v.maxLength(64, "Member must have length less than or equal to 64"),
  v.regex(/^[a-zA-Z0-9_-]+$/, "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+"),
);

const EnvironmentVariablesSchema = v.pipe(
  v.record(
    v.pipe(
      v.string(),
      v.regex(/^[a-zA-Z][a-zA-Z0-9_]+$/, "Environment variable names must match [a-zA-Z]([a-zA-Z0-9_])+"),
      v.check(
        (key) => !RESERVED_ENVIRONMENT_KEYS.has(key),
        (issue) => `Reserved keys used in this request: ${String(issue.input)}`,
      ),
    ),
    v.string(),
  ),
  v.check(
    (vars) => new TextEncoder().encode(JSON.stringify(vars)).length <= ENVIRONMENT_LIMIT_BYTES,
    `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.`,
  ),
);

/** Tags a function may have: Lambda's quota. */
export const MAX_TAGS = 50;

/** `Tags` as Lambda takes them: at most 50, keys of 1-128 characters, values of at most 256. */
const TagsSchema = v.pipe(
  v.record(
    v.pipe(
      v.string(),
      v.minLength(1, "Member must have length greater than or equal to 1"),
      v.maxLength(128, "Member must have length less than or equal to 128"),
    ),
    v.pipe(v.string(), v.maxLength(256, "Member must have length less than or equal to 256")),
  ),
  v.check(
    (tags) => Object.keys(tags).length <= MAX_TAGS,
    `Member must have length less than or equal to ${MAX_TAGS}`,
  ),
);

/** A base64 string, the way `Code.ZipFile` travels inside JSON. */
export const Base64Schema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9+/\r\n]*={0,2}$/, "Member must be valid base64"),
);

const RuntimeSchema = v.pipe(
  v.string(),
  v.check(
    (runtime) => runtime in RUNTIME_FAMILIES,
    `Member must satisfy enum value set: [${SUPPORTED_RUNTIMES.join(", ")}]`,
  ),
);

const HandlerSchema = v.pipe(
  v.string(),
  v.maxLength(128, "Member must have length less than or equal to 128"),
  v.regex(/^[^\s]+$/, "Member must satisfy regular expression pattern: [^\\s]+"),
);

const TimeoutSchema = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(1, "Member must have value greater than or equal to 1"),
  v.maxValue(900, "Member must have value less than or equal to 900"),
);

const MemorySizeSchema = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(128, "Member must have value greater than or equal to 128"),
  v.maxValue(10240, "Member must have value less than or equal to 10240"),
);

/** Settings a device has no use for: accepted empty (as some clients send them), refused otherwise. */
const UnsupportedSettings = {
  VpcConfig: v.optional(v.object({
    SubnetIds: v.optional(
      v.pipe(
        v.array(v.string()),
        v.maxLength(0, "VPC networking does not exist on a device: leave SubnetIds empty"),
      ),
    ),
    SecurityGroupIds: v.optional(
      v.pipe(
        v.array(v.string()),
        v.maxLength(0, "VPC networking does not exist on a device: leave SecurityGroupIds empty"),
      ),
    ),
    Ipv6AllowedForDualStack: v.optional(v.boolean()),
  })),
  KMSKeyArn: v.optional(v.pipe(
    v.string(),
    v.maxLength(
      0,
      "KMS keys are not available on a device: environment variables are kept in the agent's database",
    ),
  )),
  TracingConfig: v.optional(v.object({
    Mode: v.optional(
      v.picklist(["PassThrough"], "Active tracing (X-Ray) is not available on a device: use PassThrough"),
    ),
  })),
  DeadLetterConfig: v.optional(v.object({
    TargetArn: v.optional(v.pipe(
      v.string(),
      v.maxLength(
        0,
        "SQS/SNS dead-letter queues are not reachable from a device: use event invoke destinations",
      ),
    )),
  })),
  FileSystemConfigs: v.optional(v.pipe(
    v.array(v.unknown()),
    v.maxLength(0, "EFS file systems are not available on a device: use Edge.containerParams.volumes"),
  )),
  ImageConfig: v.optional(v.object({}, "Container images are not supported: deploy a zip")),
  SnapStart: v.optional(v.object({
    ApplyOn: v.optional(v.picklist(["None"], "SnapStart is not available on a device: use ApplyOn None")),
  })),
  EphemeralStorage: v.optional(v.object({
    Size: v.pipe(
      v.number(),
      v.integer(),
      v.minValue(512, "Member must have value greater than or equal to 512"),
      v.maxValue(10240, "Member must have value less than or equal to 10240"),
    ),
  })),
  LoggingConfig: v.optional(v.object({
    LogFormat: v.optional(v.picklist(["Text", "JSON"], "Member must satisfy enum value set: [Text, JSON]")),
    ApplicationLogLevel: v.optional(v.picklist(
      ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"],
      "Member must satisfy enum value set: [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]",
    )),
    SystemLogLevel: v.optional(
      v.picklist(["DEBUG", "INFO", "WARN"], "Member must satisfy enum value set: [DEBUG, INFO, WARN]"),
    ),
    LogGroup: v.optional(v.pipe(
      v.string(),
      v.regex(
        /^[\.\-_/#A-Za-z0-9]{1,512}$/,
        "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
      ),
    )),
  })),
};

/**
 * `Layers`: layer version ARNs, in the order they are merged under /opt. How many, and whether they exist, the control
 * plane checks with Lambda's messages.
 */
const LayersSchema = v.array(
  v.pipe(
    v.string(),
    v.maxLength(2048, "Member must have length less than or equal to 2048"),
    v.regex(
      /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[a-zA-Z0-9_-]{1,140}:[0-9]+$/,
      "Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+",
    ),
  ),
);

/**
 * `CapacityProviderConfig` of Lambda Managed Instances: no capacity provider exists on a device, but its
 * `PerExecutionEnvironmentMaxConcurrency` is taken as `Edge.maxConcurrency` (invocations one worker runs at once).
 */
const CapacityProviderConfigSchema = v.object({
  LambdaManagedInstancesCapacityProviderConfig: v.object({
    CapacityProviderArn: v.pipe(
      v.string(),
      v.minLength(1, "Member must have length greater than or equal to 1"),
      v.maxLength(140, "Member must have length less than or equal to 140"),
    ),
    ExecutionEnvironmentMemoryGiBPerVCpu: v.optional(v.number()),
    PerExecutionEnvironmentMaxConcurrency: v.optional(v.pipe(
      v.number(),
      v.integer("Member must be a whole number"),
      v.minValue(1, "Member must have value greater than or equal to 1"),
      v.maxValue(
        MAX_CONCURRENCY,
        `Member must have value less than or equal to ${MAX_CONCURRENCY} on a device (Edge.maxConcurrency)`,
      ),
    )),
  }),
});

/** The architecture Lambda would name for this host. */
export const HOST_ARCHITECTURE = process.arch === "arm64" ? "arm64" : "x86_64";

/** The schema of the CreateFunction request body. */
export const CreateFunctionInputSchema = v.object({
  FunctionName: FunctionNameSchema,
  Runtime: RuntimeSchema,
  Role: v.optional(v.pipe(v.string(), v.maxLength(2048)), ""),
  Handler: HandlerSchema,
  Code: v.object(
    { ZipFile: Base64Schema },
    "Member must hold ZipFile: code from S3 or images is not supported",
  ),
  Description: v.optional(
    v.pipe(v.string(), v.maxLength(256, "Member must have length less than or equal to 256")),
    "",
  ),
  Timeout: v.optional(TimeoutSchema, 3),
  MemorySize: v.optional(MemorySizeSchema),
  Environment: v.optional(v.object({ Variables: v.optional(EnvironmentVariablesSchema, {}) }), {
    Variables: {},
  }),
  Tags: v.optional(TagsSchema, {}),
  Publish: v.optional(v.boolean(), false),
  PackageType: v.optional(v.picklist(["Zip"], "Container images are not supported: use PackageType Zip")),
  Architectures: v.optional(v.pipe(
    v.array(v.string()),
    v.check(
      (list) => list.every((arch) => arch === HOST_ARCHITECTURE),
      `This device runs ${HOST_ARCHITECTURE} code only: set Architectures to [${HOST_ARCHITECTURE}]`,
    ),
  )),
  CodeSigningConfigArn: v.optional(
    v.pipe(v.string(), v.maxLength(0, "Code signing is not available on a device")),
  ),
  Edge: v.optional(EdgeInputSchema),
  CapacityProviderConfig: v.optional(CapacityProviderConfigSchema),
  Layers: v.optional(LayersSchema),
  ...UnsupportedSettings,
});

/** A validated CreateFunction body. */
export type CreateFunctionInput = v.InferOutput<typeof CreateFunctionInputSchema>;

/** The schema of the UpdateFunctionConfiguration request body: every member optional. */
export const UpdateFunctionConfigurationInputSchema = v.object({
  Runtime: v.optional(RuntimeSchema),
  Role: v.optional(v.pipe(v.string(), v.maxLength(2048))),
  Handler: v.optional(HandlerSchema),
  Description: v.optional(
    v.pipe(v.string(), v.maxLength(256, "Member must have length less than or equal to 256")),
  ),
  Timeout: v.optional(TimeoutSchema),
  MemorySize: v.optional(MemorySizeSchema),
  Environment: v.optional(v.object({ Variables: v.optional(EnvironmentVariablesSchema, {}) })),
  RevisionId: v.optional(v.string()),
  Edge: v.optional(EdgeInputSchema),
  CapacityProviderConfig: v.optional(CapacityProviderConfigSchema),
  Layers: v.optional(LayersSchema),
  ...UnsupportedSettings,
});

/** A validated UpdateFunctionConfiguration body. */
export type UpdateFunctionConfigurationInput = v.InferOutput<typeof UpdateFunctionConfigurationInputSchema>;

/** The schema of the UpdateFunctionCode request body. */
export const UpdateFunctionCodeInputSchema = v.object({
  ZipFile: v.optional(Base64Schema),
  S3Bucket: v.optional(v.pipe(v.string(), v.maxLength(0, "Code from S3 is not supported: send ZipFile"))),
  S3Key: v.optional(v.pipe(v.string(), v.maxLength(0, "Code from S3 is not supported: send ZipFile"))),
  ImageUri: v.optional(
    v.pipe(v.string(), v.maxLength(0, "Container images are not supported: send ZipFile")),
  ),
  Publish: v.optional(v.boolean(), false),
  DryRun: v.optional(v.boolean(), false),
  RevisionId: v.optional(v.string()),
  Architectures: CreateFunctionInputSchema.entries.Architectures,
});

/** A validated UpdateFunctionCode body. */
export type UpdateFunctionCodeInput = v.InferOutput<typeof UpdateFunctionCodeInputSchema>;
