/** @module The valibot schemas of Greengrass v2 Lambda components and of lambdalet's Greengrass import body. */
import * as v from "valibot";
import { DEFAULT_CONTAINER_MEMORY_KB } from "./function-config.ts";
import { CreateFunctionInputSchema } from "./function-input.ts";

/** Greengrass's defaults for `componentLambdaParameters`, as its API reference and developer guide give them. */
export const GREENGRASS_LAMBDA_DEFAULTS = {
  maxQueueSize: 1000,
  maxInstancesCount: 100,
  maxIdleTimeInSeconds: 60,
  timeoutInSeconds: 3,
  statusTimeoutInSeconds: 60,
  pinned: true,
  inputPayloadEncodingType: "json",
  memorySizeInKB: DEFAULT_CONTAINER_MEMORY_KB,
  mountROSysfs: false,
} as const;

/** A function version's ARN: its name and version are the groups. */
export const LAMBDA_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9_-]{1,64}):([0-9]{1,10})$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

function count(min: number, max: number) {
  return v.pipe(
    v.number("must be a number"),
    v.integer("must be a whole number"),
    v.minValue(min, `must be ≥ ${min}`),
    v.maxValue(max, `must be ≤ ${max}`),
  );
}

const Permission = v.optional(v.picklist(["ro", "rw"], "must be ro or rw"));
const Path = v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"));

/** A host folder mounted into the container (`containerParams.volumes[]`). */
export const VolumeSchema = v.looseObject({
  sourcePath: Path,
  destinationPath: Path,
  permission: Permission,
  addGroupOwner: v.optional(v.boolean("must be true or false")),
});

/** A host device given to the container (`containerParams.devices[]`). */
export const DeviceSchema = v.looseObject({
  path: Path,
  permission: Permission,
  addGroupOwner: v.optional(v.boolean("must be true or false")),
});

/** `linuxProcessParams.containerParams`: the container's memory, sysfs, volumes and devices. */
export const ContainerParamsSchema = v.looseObject({
  memorySizeInKB: v.optional(count(1024, 10240 * 1024)),
  mountROSysfs: v.optional(v.boolean("must be true or false")),
  volumes: v.optional(v.array(VolumeSchema, "must be a list of volumes")),
  devices: v.optional(v.array(DeviceSchema, "must be a list of devices")),
});

/** `componentLambdaParameters.linuxProcessParams`: the isolation mode and its container. */
export const LinuxProcessParamsSchema = v.looseObject({
  isolationMode: v.optional(
    v.picklist(["GreengrassContainer", "NoContainer"], "must be GreengrassContainer or NoContainer"),
  ),
  containerParams: v.optional(ContainerParamsSchema),
});

/** A topic the function is subscribed to (`componentLambdaParameters.eventSources[]`). */
export const EventSourceSchema = v.looseObject({
  topic: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
  type: v.picklist(["PUB_SUB", "IOT_CORE"], "must be PUB_SUB or IOT_CORE"),
});

/** `componentLambdaParameters`: how Greengrass runs the function. */
export const LambdaParametersSchema = v.looseObject({
  eventSources: v.optional(v.array(EventSourceSchema, "must be a list of {topic, type}")),
  maxQueueSize: v.optional(count(1, 100_000)),
  maxInstancesCount: v.optional(count(1, 1000)),
  maxIdleTimeInSeconds: v.optional(count(1, 86_400)),
  timeoutInSeconds: v.optional(count(1, 900)),
  statusTimeoutInSeconds: v.optional(count(1, 3600)),
  pinned: v.optional(v.boolean("must be true or false")),
  inputPayloadEncodingType: v.optional(v.picklist(["json", "binary"], "must be json or binary")),
  execArgs: v.optional(v.array(v.string(), "must be a list of strings")),
  environmentVariables: v.optional(v.record(v.string(), v.string(), "must map names to strings")),
  linuxProcessParams: v.optional(LinuxProcessParamsSchema),
});

/** A platform the component runs on (`componentPlatforms[]`). */
export const PlatformSchema = v.looseObject({
  name: v.optional(v.string("must be a string")),
  attributes: v.optional(v.record(v.string(), v.string(), "must map attribute names to strings")),
});

/** A component the component depends on (`componentDependencies.<name>`). */
export const DependencySchema = v.looseObject({
  versionRequirement: v.optional(v.string("must be a string")),
  dependencyType: v.optional(v.picklist(["HARD", "SOFT"], "must be HARD or SOFT")),
});

/** How Greengrass runs a component's processes (a deployment's or the nucleus's `runWith`). */
export const RunWithSchema = v.looseObject({
  posixUser: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/, "must be user, user:group or uid:gid"),
    ),
  ),
  windowsUser: v.optional(v.string()),
  systemResourceLimits: v.optional(v.unknown()),
});

/** The `lambdaFunction` member of `CreateComponentVersion` (`LambdaFunctionRecipeSource`). */
export const LambdaFunctionRecipeSourceSchema = v.looseObject({
  lambdaArn: v.pipe(
    v.string("must be a string"),
    v.regex(
      LAMBDA_ARN,
      "must be a function ARN ending in a version number, such as arn:aws:lambda:us-east-1:123456789012:function:HelloWorld:1 ($LATEST and aliases are not accepted, as by Greengrass)",
    ),
  ),
  componentName: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1, "must not be empty"),
      v.maxLength(128, "must be at most 128 characters"),
    ),
  ),
  componentVersion: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(64, "must be at most 64 characters"),
      v.regex(SEMVER, "must be a semantic version such as 1.0.0"),
    ),
  ),
  componentPlatforms: v.optional(v.array(PlatformSchema, "must be a list of platforms")),
  componentDependencies: v.optional(v.record(v.string(), DependencySchema, "must map component names")),
  componentLambdaParameters: v.optional(LambdaParametersSchema),
  /** Not Greengrass's: a recipe's `runWith` beside the member, when the file holds the member alone. */
  runWith: v.optional(RunWithSchema),
});

/** The whole `CreateComponentVersion` body, with `lambdaFunction`; `runWith` beside it is honoured. */
export const CreateComponentVersionSchema = v.looseObject({
  lambdaFunction: LambdaFunctionRecipeSourceSchema,
  runWith: v.optional(RunWithSchema),
  tags: v.optional(v.record(v.string(), v.string(), "must map tag keys to strings")),
  clientToken: v.optional(v.string()),
});

/** A validated `lambdaFunction` member. */
export type LambdaFunctionRecipeSource = v.InferOutput<typeof LambdaFunctionRecipeSourceSchema>;

/**
 * The body of `POST /lambdalet/v1/import/greengrass`, and a deployment document's component entry: the component
 * (a `CreateComponentVersion` body or its `lambdaFunction` member), with the runtime, handler and code the Lambda
 * function carries on AWS, each optional when the function version `lambdaArn` names exists on this agent.
 */
export const GreengrassImportInputSchema = v.strictObject({
  greengrassComponent: v.unknown(),
  Runtime: v.optional(CreateFunctionInputSchema.entries.Runtime),
  Handler: v.optional(CreateFunctionInputSchema.entries.Handler),
  Code: v.optional(v.union(
    [
      v.strictObject({ ZipFile: CreateFunctionInputSchema.entries.Code.entries.ZipFile }),
      v.strictObject({
        Sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "must be a hex SHA-256 of stored code")),
      }),
    ],
    "Code must hold ZipFile (base64) or Sha256 (hex, of code already stored)",
  )),
});

/** A validated {@linkcode GreengrassImportInputSchema} body. */
export type GreengrassImportInput = v.InferOutput<typeof GreengrassImportInputSchema>;
