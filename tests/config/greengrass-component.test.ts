/** @module Greengrass v2 Lambda components mapped onto a CreateFunction body: every parameter, defaults, warnings. */
import { describe, expect, test } from "bun:test";
import {
  aliasNameOf,
  GREENGRASS_LAMBDA_DEFAULTS,
  parseGreengrassComponent,
  toCreateFunctionInput,
} from "../../lib/config/mod.ts";
import { LambdaError } from "../../lib/errors/mod.ts";

const ARN = "arn:aws:lambda:us-west-2:123456789012:function:HelloWorld:3";
const OPTIONS = {
  runtime: "nodejs20.x",
  handler: "index.handler",
  zipFile: "UEsDBA==",
  architecture: "amd64",
};

/** A `CreateComponentVersion` body naming every parameter of `lambdaFunction`. */
const EVERYTHING = {
  lambdaFunction: {
    lambdaArn: ARN,
    componentName: "com.example.HelloWorld",
    componentVersion: "1.2.3",
    componentPlatforms: [{ name: "Linux x86", attributes: { os: "linux", architecture: "amd64" } }],
    componentDependencies: {
      "aws.greengrass.LambdaLauncher": { versionRequirement: "^2.0.0", dependencyType: "HARD" },
      "aws.greengrass.StreamManager": { versionRequirement: "^2.0.0", dependencyType: "SOFT" },
    },
    componentLambdaParameters: {
      eventSources: [
        { topic: "sensors/+/temperature", type: "PUB_SUB" },
        { topic: "things/kitchen/#", type: "IOT_CORE" },
      ],
      maxQueueSize: 500,
      maxInstancesCount: 7,
      maxIdleTimeInSeconds: 30,
      timeoutInSeconds: 120,
      statusTimeoutInSeconds: 20,
      pinned: false,
      inputPayloadEncodingType: "binary",
      execArgs: ["-d"],
      environmentVariables: { LIMIT: "300" },
      linuxProcessParams: {
        isolationMode: "NoContainer",
        containerParams: {
          memorySizeInKB: 65536,
          mountROSysfs: true,
          volumes: [
            { sourcePath: "/srv/data", destinationPath: "/data", permission: "rw", addGroupOwner: true },
            { sourcePath: "/srv/conf", destinationPath: "/conf" },
          ],
          devices: [{ path: "/dev/ttyUSB0", permission: "rw", addGroupOwner: false }, { path: "/dev/i2c-1" }],
        },
      },
    },
  },
  runWith: { posixUser: "ggc_user:ggc_group" },
  tags: { team: "sensors" },
};

function mapped(body: unknown, options: Partial<typeof OPTIONS> = {}) {
  return toCreateFunctionInput(parseGreengrassComponent(body), { ...OPTIONS, ...options });
}

function refusal(run: () => unknown): LambdaError {
  try {
    run();
  } catch (error) {
    if (error instanceof LambdaError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("a CreateComponentVersion body with every parameter", () => {
  const result = mapped(EVERYTHING);
  const { input } = result;

  test("names the function after componentName, with characters Lambda refuses turned into '-'", () => {
    expect(result.functionName).toBe("com-example-HelloWorld");
    expect(input.FunctionName).toBe("com-example-HelloWorld");
  });

  test("maps componentVersion to itself and to the alias v1_2_3", () => {
    expect(result.componentVersion).toBe("1.2.3");
    expect(result.aliasName).toBe("v1_2_3");
  });

  test("takes the runtime, handler and code it is given", () => {
    expect(input.Runtime).toBe("nodejs20.x");
    expect(input.Handler).toBe("index.handler");
    expect(input.Code.ZipFile).toBe("UEsDBA==");
  });

  test("maps timeoutInSeconds to Timeout and environmentVariables to Environment", () => {
    expect(input.Timeout).toBe(120);
    expect(input.Environment.Variables).toEqual({ LIMIT: "300" });
    expect(input.MemorySize).toBeUndefined();
  });

  test("maps the lifecycle parameters to Edge under the same names", () => {
    expect(input.Edge).toMatchObject({
      pinned: false,
      maxQueueSize: 500,
      maxInstancesCount: 7,
      maxIdleTimeInSeconds: 30,
      statusTimeoutInSeconds: 20,
      inputPayloadEncodingType: "binary",
    });
  });

  test("maps linuxProcessParams to Edge.containerMode and Edge.containerParams", () => {
    expect(input.Edge?.containerMode).toBe("NoContainer");
    expect(input.Edge?.containerParams).toEqual({
      memorySizeInKB: 65536,
      mountROSysfs: true,
      volumes: [
        { sourcePath: "/srv/data", destinationPath: "/data", permission: "rw" },
        { sourcePath: "/srv/conf", destinationPath: "/conf", permission: "ro" },
      ],
      devices: [{ path: "/dev/ttyUSB0", permission: "rw" }, { path: "/dev/i2c-1", permission: "ro" }],
    });
  });

  test("maps runWith.posixUser to Edge.posixUser and tags to Tags", () => {
    expect(input.Edge?.posixUser).toBe("ggc_user:ggc_group");
    expect(input.Tags).toEqual({ team: "sensors" });
  });

  test("keeps PUB_SUB sources and IOT_CORE ones as the Edge schema takes them", () => {
    const sources = input.Edge?.eventSources ?? [];
    expect(sources[0]).toMatchObject({ type: "PUB_SUB", topic: "sensors/+/temperature" });
    const iot = sources.find((source) => source.type === "IOT_CORE");
    const bridged = result.warnings.some((warning) => warning.includes("needs the MQTT bridge"));
    // either the bridge's schema took it, or it is named in a warning: never dropped silently
    expect(iot !== undefined || bridged).toBe(true);
    if (iot) expect(iot).toEqual({ type: "IOT_CORE", topic: "things/kitchen/#" });
  });

  test("warns of execArgs, a dependency lambdalet does not provide and addGroupOwner, and of nothing else", () => {
    const warnings = result.warnings.filter((warning) => !warning.includes("MQTT bridge"));
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toContain("componentName 'com.example.HelloWorld'");
    expect(warnings.some((w) => w.includes("execArgs") && w.includes('"-d"'))).toBe(true);
    expect(warnings.some((w) => w.includes("aws.greengrass.StreamManager") && !w.includes("LambdaLauncher")))
      .toBe(true);
    expect(warnings.some((w) => w.includes("volumes[0].addGroupOwner"))).toBe(true);
  });

  test("reads the lambdaFunction member alone the same way", () => {
    const member = mapped({ ...EVERYTHING.lambdaFunction, runWith: EVERYTHING.runWith });
    expect(member.input.Edge).toEqual(input.Edge);
    expect(member.input.Tags).toEqual({});
  });
});

describe("a component that names only lambdaArn", () => {
  const result = mapped({ lambdaFunction: { lambdaArn: ARN } });

  test("is named after the function, versioned from the ARN's version as N.0.0", () => {
    expect(result.functionName).toBe("HelloWorld");
    expect(result.componentVersion).toBe("3.0.0");
    expect(result.aliasName).toBe("v3_0_0");
  });

  test("gets Greengrass's defaults", () => {
    expect(result.input.Timeout).toBe(3);
    expect(result.input.Environment.Variables).toEqual({});
    expect(result.input.Edge).toEqual({
      pinned: true,
      containerMode: "GreengrassContainer",
      containerParams: { memorySizeInKB: 16384, mountROSysfs: false, volumes: [], devices: [] },
      maxQueueSize: 1000,
      maxInstancesCount: 100,
      maxIdleTimeInSeconds: 60,
      statusTimeoutInSeconds: 60,
      inputPayloadEncodingType: "json",
      eventSources: [],
    });
    expect(GREENGRASS_LAMBDA_DEFAULTS.pinned).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  test("takes the agent's container mode when it is given one", () => {
    const local = toCreateFunctionInput(parseGreengrassComponent({ lambdaArn: ARN }), {
      ...OPTIONS,
      defaultContainerMode: "NoContainer",
    });
    expect(local.input.Edge?.containerMode).toBe("NoContainer");
  });
});

describe("warnings", () => {
  test("name every unknown field, at any depth, and the ones a device does not support", () => {
    const result = mapped({
      lambdaFunction: {
        lambdaArn: ARN,
        colour: "blue",
        componentLambdaParameters: {
          speed: 3,
          linuxProcessParams: {
            containerParams: { volumes: [{ sourcePath: "/a", destinationPath: "/b", x: 1 }] },
          },
        },
      },
      clientToken: "abc",
      runWith: { windowsUser: "me" },
    });
    expect(result.warnings).toEqual(expect.arrayContaining([
      expect.stringContaining("lambdaFunction.colour"),
      expect.stringContaining("lambdaFunction.componentLambdaParameters.speed"),
      expect.stringContaining("containerParams.volumes[0].x"),
      expect.stringContaining("clientToken"),
      expect.stringContaining("runWith.windowsUser"),
    ]));
  });

  test("say when no platform is this device's", () => {
    const result = mapped({
      lambdaArn: ARN,
      componentPlatforms: [{ attributes: { os: "windows", architecture: "amd64" } }],
    });
    expect(result.warnings).toEqual([expect.stringContaining("componentPlatforms")]);
  });
});

describe("refusals", () => {
  test("a lambdaArn without a version, as Greengrass refuses $LATEST", () => {
    const error = refusal(() => parseGreengrassComponent({ lambdaArn: ARN.replace(":3", ":$LATEST") }));
    expect(error.type).toBe("InvalidParameterValueException");
    expect(error.message).toContain("'lambdaArn'");
  });

  test("a componentVersion that is not semantic", () => {
    const error = refusal(() => parseGreengrassComponent({ lambdaArn: ARN, componentVersion: "1.0" }));
    expect(error.message).toContain("must be a semantic version");
  });

  test("an inlineRecipe component", () => {
    expect(refusal(() => parseGreengrassComponent({ inlineRecipe: "e30=" })).message).toContain(
      "inlineRecipe",
    );
  });

  test("a parameter of the wrong type, by its Greengrass path", () => {
    const error = refusal(() =>
      parseGreengrassComponent({
        lambdaFunction: { lambdaArn: ARN, componentLambdaParameters: { maxQueueSize: "x" } },
      })
    );
    expect(error.message).toContain("'lambdaFunction.componentLambdaParameters.maxQueueSize'");
  });

  test("no runtime or handler", () => {
    const error = refusal(() => mapped({ lambdaArn: ARN }, { runtime: undefined }));
    expect(error.message).toContain("--runtime and --handler");
  });

  test("environment variables Lambda reserves", () => {
    const error = refusal(() =>
      mapped({ lambdaArn: ARN, componentLambdaParameters: { environmentVariables: { AWS_REGION: "x" } } })
    );
    expect(error.message).toContain("AWS_REGION");
  });
});

test("aliasNameOf() keeps pre-release and build apart", () => {
  expect(aliasNameOf("2.1.0-beta.1+7")).toBe("v2_1_0-beta_1__7");
});
