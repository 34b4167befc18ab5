/**
 * @module Greengrass v2 Lambda components: the `lambdaFunction` member of `CreateComponentVersion`, read and mapped
 * onto a CreateFunction body, with a warning for every field a device cannot honour.
 */
import * as v from "valibot";
import { LambdaError } from "../errors/mod.ts";
import { EdgeInputSchema } from "./edge-config.ts";
import { type CreateFunctionInput, CreateFunctionInputSchema } from "./function-input.ts";
import {
  CreateComponentVersionSchema,
  GREENGRASS_LAMBDA_DEFAULTS,
  LAMBDA_ARN,
  type LambdaFunctionRecipeSource,
  LambdaFunctionRecipeSourceSchema,
  PlatformSchema,
  RunWithSchema,
} from "./greengrass-schemas.ts";
import { collectSourceWarnings, unknownMembers } from "./greengrass-warnings.ts";
import { formatIssues } from "./validation-issues.ts";

/** Components of Greengrass's own Lambda support: lambdalet is them, so depending on them needs nothing. */
const PROVIDED_COMPONENTS = new Set([
  "aws.greengrass.Nucleus",
  "aws.greengrass.LambdaLauncher",
  "aws.greengrass.LambdaManager",
  "aws.greengrass.LambdaRuntimes",
]);

/** A Greengrass component request, read: what it names, and what it says that lambdalet will not do. */
export interface GreengrassComponent {
  /** The `lambdaFunction` member. */
  source: LambdaFunctionRecipeSource;
  /** The function and version `lambdaArn` names. */
  lambda: { name: string; version: string };
  /** `runWith` of the request or of the member. */
  runWith?: v.InferOutput<typeof RunWithSchema>;
  /** The request's `tags`. */
  tags: Record<string, string>;
  /** Fields named that are unknown or not supported. */
  warnings: string[];
}

/**
 * Reads a `CreateComponentVersion` body (with `lambdaFunction`) or its `lambdaFunction` member alone. Unknown fields
 * become warnings; a missing or malformed field throws `InvalidParameterValueException` naming it.
 */
export function parseGreengrassComponent(body: unknown): GreengrassComponent {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid(
      "the component must be a JSON object: a CreateComponentVersion body or its lambdaFunction member",
    );
  }
  const record = body as Record<string, unknown>;
  if ("inlineRecipe" in record && !("lambdaFunction" in record)) {
    throw invalid(
      "inlineRecipe components are not Lambda functions: only lambdaFunction components can be imported",
    );
  }
  const warnings: string[] = [];
  let source: LambdaFunctionRecipeSource;
  let runWith: GreengrassComponent["runWith"];
  let tags: Record<string, string> = {};
  if ("lambdaFunction" in record) {
    const request = parseOrThrow(CreateComponentVersionSchema, record);
    unknownMembers(request, CreateComponentVersionSchema.entries, "", warnings, {
      inlineRecipe: "not a Lambda function",
    });
    if (request.clientToken !== undefined) {
      warnings.push("clientToken is ignored: an import is applied at once");
    }
    source = request.lambdaFunction;
    runWith = request.runWith;
    tags = request.tags ?? {};
    collectSourceWarnings(source, "lambdaFunction.", warnings);
  } else {
    source = parseOrThrow(LambdaFunctionRecipeSourceSchema, record);
    collectSourceWarnings(source, "", warnings);
  }
  runWith = source.runWith ?? runWith;
  if (runWith) {
    unknownMembers(runWith, RunWithSchema.entries, "runWith.", warnings, {
      windowsUser: "this device runs Linux",
      systemResourceLimits: "use containerParams.memorySizeInKB for memory",
    });
  }
  const [, name, version] = LAMBDA_ARN.exec(source.lambdaArn)!;
  return {
    source,
    lambda: { name: name!, version: version! },
    ...(runWith ? { runWith } : {}),
    tags,
    warnings,
  };
}

/** Where the function's runtime and code come from, besides the component. */
export interface GreengrassImportOptions {
  /** The runtime id (`--runtime`, else the local function `lambdaArn` names). */
  runtime?: string;
  /** The handler (`--handler`, else the local function `lambdaArn` names). */
  handler?: string;
  /** The code zip, base64. */
  zipFile: string;
  /** The container mode when `isolationMode` is absent. @default "GreengrassContainer" (Greengrass's) */
  defaultContainerMode?: "GreengrassContainer" | "NoContainer";
  /** The architecture this device runs, in Greengrass's words (`amd64`, `aarch64`). @default the host's */
  architecture?: string;
}

/** A component mapped onto lambdalet: the CreateFunction body of its `$LATEST`, and the version and alias. */
export interface GreengrassImport {
  /** The function's name: `componentName` (characters Lambda refuses turned into `-`), else the ARN's name. */
  functionName: string;
  /** The component's semantic version (`componentVersion`, else the ARN's version as `N.0.0`). */
  componentVersion: string;
  /** The alias that names the component version: `v` and the version, `.` as `_` and `+` as `__`. */
  aliasName: string;
  /** The CreateFunction body, validated. */
  input: CreateFunctionInput;
  /** Fields named that are unknown or not supported, and what was done instead. */
  warnings: string[];
}

/**
 * Maps a component read by {@linkcode parseGreengrassComponent} onto a CreateFunction body: Greengrass's defaults
 * where a parameter is absent, a warning for each field a device does not honour. Throws
 * `InvalidParameterValueException` when the runtime or handler is unknown, or the result is not a valid function.
 */
export function toCreateFunctionInput(
  component: GreengrassComponent,
  options: GreengrassImportOptions,
): GreengrassImport {
  const { source, lambda } = component;
  const warnings = [...component.warnings];
  const parameters = source.componentLambdaParameters ?? {};
  const container = parameters.linuxProcessParams?.containerParams ?? {};
  if (options.runtime === undefined || options.handler === undefined) {
    throw invalid(
      `the runtime and handler of ${source.lambdaArn} are not known here: give --runtime and --handler (Runtime and Handler), or import a function version that exists on this agent`,
    );
  }
  const functionName = functionNameOf(source.componentName ?? lambda.name, warnings);
  const componentVersion = source.componentVersion ?? `${lambda.version}.0.0`;
  if (parameters.execArgs?.length) {
    warnings.push(
      `componentLambdaParameters.execArgs ${
        JSON.stringify(parameters.execArgs)
      } are not passed: lambdalet starts the runtime's own interpreter and bootstrap`,
    );
  }
  checkPlatforms(source.componentPlatforms, options.architecture ?? hostArchitecture(), warnings);
  const missing = Object.keys(source.componentDependencies ?? {}).filter((name) =>
    !PROVIDED_COMPONENTS.has(name)
  );
  if (missing.length) {
    warnings.push(
      `componentDependencies ${missing.join(", ")} are not installed: lambdalet runs no other components`,
    );
  }
  const volumes = (container.volumes ?? []).map((volume, index) => {
    if (volume.addGroupOwner) warnings.push(groupOwnerWarning(`volumes[${index}]`));
    return {
      sourcePath: volume.sourcePath,
      destinationPath: volume.destinationPath,
      permission: volume.permission ?? "ro",
    };
  });
  const devices = (container.devices ?? []).map((device, index) => {
    if (device.addGroupOwner) warnings.push(groupOwnerWarning(`devices[${index}]`));
    return { path: device.path, permission: device.permission ?? "ro" };
  });
  const defaults = GREENGRASS_LAMBDA_DEFAULTS;
  const body = {
    FunctionName: functionName,
    Runtime: options.runtime,
    Handler: options.handler,
    Code: { ZipFile: options.zipFile },
    Description: `Greengrass component ${source.componentName ?? lambda.name} ${componentVersion}`.slice(
      0,
      256,
    ),
    Timeout: parameters.timeoutInSeconds ?? defaults.timeoutInSeconds,
    Environment: { Variables: parameters.environmentVariables ?? {} },
    Tags: component.tags,
    Edge: {
      pinned: parameters.pinned ?? defaults.pinned,
      containerMode: parameters.linuxProcessParams?.isolationMode ?? options.defaultContainerMode ??
        "GreengrassContainer",
      containerParams: {
        memorySizeInKB: container.memorySizeInKB ?? defaults.memorySizeInKB,
        mountROSysfs: container.mountROSysfs ?? defaults.mountROSysfs,
        volumes,
        devices,
      },
      maxQueueSize: parameters.maxQueueSize ?? defaults.maxQueueSize,
      maxInstancesCount: parameters.maxInstancesCount ?? defaults.maxInstancesCount,
      maxIdleTimeInSeconds: parameters.maxIdleTimeInSeconds ?? defaults.maxIdleTimeInSeconds,
      statusTimeoutInSeconds: parameters.statusTimeoutInSeconds ?? defaults.statusTimeoutInSeconds,
      inputPayloadEncodingType: parameters.inputPayloadEncodingType ?? defaults.inputPayloadEncodingType,
      eventSources: eventSourcesOf(parameters.eventSources ?? [], warnings),
      ...(component.runWith?.posixUser !== undefined ? { posixUser: component.runWith.posixUser } : {}),
    },
  };
  const result = v.safeParse(CreateFunctionInputSchema, body);
  if (!result.success) {
    throw invalid(`the component does not make a valid function: ${formatIssues(result.issues)}`);
  }
  return {
    functionName,
    componentVersion,
    aliasName: aliasNameOf(componentVersion),
    input: result.output,
    warnings,
  };
}

/** The alias that names a component version: `1.0.0` is `v1_0_0`, `2.1.0-beta.1+7` is `v2_1_0-beta_1__7`. */
export function aliasNameOf(componentVersion: string): string {
  return `v${componentVersion.replaceAll("+", "__").replaceAll(".", "_")}`;
}

function functionNameOf(componentName: string, warnings: string[]): string {
  const name = componentName.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64);
  if (name !== componentName) {
    warnings.push(
      `componentName '${componentName}' is not a Lambda function name: the function is named '${name}'`,
    );
  }
  return name;
}

function eventSourcesOf(
  sources: { topic: string; type: "PUB_SUB" | "IOT_CORE" }[],
  warnings: string[],
): { type: "PUB_SUB" | "IOT_CORE"; topic: string }[] {
  const kept: { type: "PUB_SUB" | "IOT_CORE"; topic: string }[] = [];
  for (const source of sources) {
    const entry = { type: source.type, topic: source.topic };
    // IOT_CORE entries go in once the Edge schema takes them (the MQTT bridge); until then they are named
    if (!v.safeParse(EdgeInputSchema.entries.eventSources, [entry]).success) {
      warnings.push(
        source.type === "IOT_CORE"
          ? `IOT_CORE source '${source.topic}' needs the MQTT bridge`
          : `PUB_SUB source '${source.topic}' is not a topic filter lambdalet accepts`,
      );
      continue;
    }
    kept.push(entry);
  }
  return kept;
}

function checkPlatforms(
  platforms: v.InferOutput<typeof PlatformSchema>[] | undefined,
  architecture: string,
  warnings: string[],
): void {
  if (!platforms?.length) return;
  const fits = platforms.some((platform) => {
    const os = platform.attributes?.os;
    const arch = platform.attributes?.architecture;
    return (os === undefined || os === "*" || os === "linux") &&
      (arch === undefined || arch === "*" || arch === architecture);
  });
  if (!fits) {
    warnings.push(
      `componentPlatforms: none is linux/${architecture}, this device; the function is imported all the same`,
    );
  }
}

function hostArchitecture(): string {
  return process.arch === "arm64" ? "aarch64" : process.arch === "arm" ? "arm" : "amd64";
}

function groupOwnerWarning(where: string): string {
  return `containerParams.${where}.addGroupOwner is not applied: lambdalet has no Greengrass group; grant the function's user access instead`;
}

function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw new LambdaError("InvalidParameterValueException", formatIssues(result.issues));
}

function invalid(message: string): LambdaError {
  return new LambdaError(
    "InvalidParameterValueException",
    `Cannot import the Greengrass component: ${message}`,
  );
}
