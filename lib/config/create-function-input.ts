/** @module The valibot schema of a CreateFunction request body (Lambda API 2015-03-31). */
import * as v from "valibot";
import { FUNCTION_DEFAULTS } from "./function-config.ts";
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

/** The `Environment` member: `{"Variables": {...}}`. */
export const EnvironmentSchema = v.object({
  Variables: v.optional(EnvironmentVariablesSchema, {}),
});

/** A base64 string, the way `Code.ZipFile` travels inside JSON. */
export const Base64Schema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9+/\r\n]*={0,2}$/, "Member must be valid base64"),
);

/** The schema of the CreateFunction request body. */
export const CreateFunctionInputSchema = v.object({
  FunctionName: FunctionNameSchema,
  Runtime: v.pipe(
    v.string(),
    v.check(
      (runtime) => runtime in RUNTIME_FAMILIES,
      `Member must satisfy enum value set: [${SUPPORTED_RUNTIMES.join(", ")}]`,
    ),
  ),
  Role: v.optional(v.pipe(v.string(), v.maxLength(2048)), ""),
  Handler: v.pipe(
    v.string(),
    v.maxLength(128, "Member must have length less than or equal to 128"),
    v.regex(/^[^\s]+$/, "Member must satisfy regular expression pattern: [^\\s]+"),
  ),
  Code: v.object(
    { ZipFile: Base64Schema },
    "Member must hold ZipFile: code from S3 or images is not supported",
  ),
  Description: v.optional(
    v.pipe(v.string(), v.maxLength(256, "Member must have length less than or equal to 256")),
    FUNCTION_DEFAULTS.description,
  ),
  Timeout: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1, "Member must have value greater than or equal to 1"),
      v.maxValue(900, "Member must have value less than or equal to 900"),
    ),
    FUNCTION_DEFAULTS.timeout,
  ),
  MemorySize: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(128, "Member must have value greater than or equal to 128"),
      v.maxValue(10240, "Member must have value less than or equal to 10240"),
    ),
    FUNCTION_DEFAULTS.memorySize,
  ),
  Environment: v.optional(EnvironmentSchema, { Variables: {} }),
  Tags: v.optional(v.record(v.pipe(v.string(), v.minLength(1), v.maxLength(128)), v.string()), {}),
  Publish: v.optional(v.boolean(), false),
});

/** A validated CreateFunction body. */
export type CreateFunctionInput = v.InferOutput<typeof CreateFunctionInputSchema>;
