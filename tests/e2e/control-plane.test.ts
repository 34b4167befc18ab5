/** @module The control plane over raw HTTP: Lambda's status codes and error names for each bad request. */
import { apiFetch } from "../helpers/api-client.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import {
  createBody,
  createFunction,
  HANDLERS,
  handlerZip,
  invoke,
  taggedHandler,
} from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";

const BIG_RESPONSE = `exports.handler = async () => "x".repeat(6 * 1024 * 1024 + 200);`;

describe("control plane over HTTP", () => {
  let agent: AgentProcess;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    apiFetch(`${agent.url}${path}`, {
      method,
      body: body === undefined ? null : JSON.stringify(body),
      headers,
    });

  beforeAll(async () => {
    agent = await startAgentProcess();
    expect((await createFunction(agent.url, createBody("fn", taggedHandler("v1")))).status).toBe(201);
    expect((await call("POST", "/2015-03-31/functions/fn/versions", {})).status).toBe(201);
  });

  afterAll(async () => {
    await agent?.stop();
  });

  describe("settings a device has no use for", () => {
    const refused: [string, Record<string, unknown>][] = [
      ["a VpcConfig with subnets", { VpcConfig: { SubnetIds: ["subnet-1"], SecurityGroupIds: [] } }],
      ["a KMS key", { KMSKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" }],
      ["Active tracing", { TracingConfig: { Mode: "Active" } }],
      ["a dead-letter queue", { DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:123456789012:q" } }],
      ["an EFS file system", { FileSystemConfigs: [{ Arn: "arn", LocalMountPath: "/mnt/efs" }] }],
      ["SnapStart", { SnapStart: { ApplyOn: "PublishedVersions" } }],
      ["an image package", { PackageType: "Image" }],
      ["another architecture", { Architectures: [process.arch === "arm64" ? "x86_64" : "arm64"] }],
      ["an unknown Edge member", { Edge: { pinnned: true } }],
      ["an Edge maxInstancesCount of 0", { Edge: { maxInstancesCount: 0 } }],
      [
        "a NoContainer volume seen elsewhere than its host path",
        {
          Edge: {
            containerMode: "NoContainer",
            containerParams: { volumes: [{ sourcePath: "/srv", destinationPath: "/data" }] },
          },
        },
      ],
    ];
    for (const [what, extra] of refused) {
      test(`CreateFunction refuses ${what} with InvalidParameterValueException`, async () => {
        const body = await expectLambdaError(
          await createFunction(agent.url, createBody("refused", HANDLERS.counter, extra)),
          400,
          "InvalidParameterValueException",
        );
        expect(body.message).toMatch(/validation error|NoContainer cannot mount/);
      });
    }

    test("CreateFunction accepts the empty or neutral forms clients send, and stores what applies", async () => {
      const response = await createFunction(
        agent.url,
        createBody("accepted", HANDLERS.counter, {
          VpcConfig: { SubnetIds: [], SecurityGroupIds: [] },
          Layers: [],
          TracingConfig: { Mode: "PassThrough" },
          EphemeralStorage: { Size: 1024 },
          LoggingConfig: { LogFormat: "JSON" },
          PackageType: "Zip",
          Architectures: [process.arch === "arm64" ? "arm64" : "x86_64"],
          Edge: {
            maxQueueSize: 5,
            containerParams: { volumes: [{ sourcePath: "/srv/data", destinationPath: "/srv/data" }] },
          },
        }),
      );
      expect(response.status).toBe(201);
      const config = await response.json() as Record<string, unknown>;
      expect(config.EphemeralStorage).toEqual({ Size: 1024 });
      expect(config.LoggingConfig).toMatchObject({ LogFormat: "JSON" });
      expect(config.Edge).toMatchObject({
        maxQueueSize: 5,
        maxInstancesCount: 100,
        containerMode: "NoContainer",
        containerParams: {
          volumes: [{ sourcePath: "/srv/data", destinationPath: "/srv/data", permission: "ro" }],
        },
      });
    });
  });

  describe("versions and aliases", () => {
    test("an alias name made only of digits is refused", async () => {
      await expectLambdaError(
        await call("POST", "/2015-03-31/functions/fn/aliases", { Name: "123", FunctionVersion: "1" }),
        400,
        "InvalidParameterValueException",
      );
    });

    test("an alias to a version that does not exist answers 404", async () => {
      await expectLambdaError(
        await call("POST", "/2015-03-31/functions/fn/aliases", { Name: "a", FunctionVersion: "42" }),
        404,
        "ResourceNotFoundException",
      );
    });

    test("weighted routing from $LATEST, or to the alias's own version, is refused", async () => {
      await expectLambdaError(
        await call("POST", "/2015-03-31/functions/fn/aliases", {
          Name: "a",
          FunctionVersion: "$LATEST",
          RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } },
        }),
        400,
        "InvalidParameterValueException",
      );
      await expectLambdaError(
        await call("POST", "/2015-03-31/functions/fn/aliases", {
          Name: "a",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } },
        }),
        400,
        "InvalidParameterValueException",
      );
      await expectLambdaError(
        await call("POST", "/2015-03-31/functions/fn/aliases", {
          Name: "a",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: { "2": 1.5 } },
        }),
        400,
        "InvalidParameterValueException",
      );
    });

    test("a duplicate alias answers 409, an unknown one 404", async () => {
      expect(
        (await call("POST", "/2015-03-31/functions/fn/aliases", { Name: "dup", FunctionVersion: "1" }))
          .status,
      )
        .toBe(201);
      await expectLambdaError(
        await call("POST", "/2015-03-31/functions/fn/aliases", { Name: "dup", FunctionVersion: "1" }),
        409,
        "ResourceConflictException",
      );
      await expectLambdaError(
        await call("GET", "/2015-03-31/functions/fn/aliases/nope"),
        404,
        "ResourceNotFoundException",
      );
      await expectLambdaError(await invoke(agent.url, "fn:nope", "{}"), 404, "ResourceNotFoundException");
    });

    test("UpdateAlias with a stale RevisionId answers 412", async () => {
      await expectLambdaError(
        await call("PUT", "/2015-03-31/functions/fn/aliases/dup", { Description: "x", RevisionId: "old" }),
        412,
        "PreconditionFailedException",
      );
    });

    test("PublishVersion with a CodeSha256 that is not $LATEST's is refused", async () => {
      const body = await expectLambdaError(
        await call("POST", "/2015-03-31/functions/fn/versions", { CodeSha256: "AAAA" }),
        400,
        "InvalidParameterValueException",
      );
      expect(body.message).toContain("is different from current CodeSHA256 in $LATEST");
    });

    test("DeleteFunction refuses $LATEST or an alias as qualifier", async () => {
      await expectLambdaError(
        await call("DELETE", "/2015-03-31/functions/fn?Qualifier=$LATEST"),
        400,
        "InvalidParameterValueException",
      );
      await expectLambdaError(
        await call("DELETE", "/2015-03-31/functions/fn?Qualifier=dup"),
        400,
        "InvalidParameterValueException",
      );
    });

    test("UpdateFunctionCode with a stale RevisionId answers 412 and changes nothing", async () => {
      const before = await (await call("GET", "/2015-03-31/functions/fn/configuration")).json() as {
        CodeSha256: string;
      };
      await expectLambdaError(
        await call("PUT", "/2015-03-31/functions/fn/code", {
          ZipFile: Buffer.from(handlerZip("")).toString("base64"),
          RevisionId: "stale",
        }),
        412,
        "PreconditionFailedException",
      );
      const after = await (await call("GET", "/2015-03-31/functions/fn/configuration")).json() as {
        CodeSha256: string;
      };
      expect(after.CodeSha256).toBe(before.CodeSha256);
    });

    test("ListFunctions refuses a MaxItems out of range", async () => {
      await expectLambdaError(
        await call("GET", "/2015-03-31/functions?MaxItems=0"),
        400,
        "InvalidParameterValueException",
      );
      await expectLambdaError(
        await call("GET", "/2015-03-31/functions?MaxItems=many"),
        400,
        "InvalidParameterValueException",
      );
    });
  });

  describe("Invoke limits", () => {
    test("a client context over 3583 bytes is refused; a non-JSON one too", async () => {
      const long = Buffer.from(JSON.stringify({ custom: { k: "x".repeat(3600) } })).toString("base64");
      await expectLambdaError(
        await invoke(agent.url, "fn", "{}", { "X-Amz-Client-Context": long }),
        400,
        "InvalidParameterValueException",
      );
      await expectLambdaError(
        await invoke(agent.url, "fn", "{}", {
          "X-Amz-Client-Context": Buffer.from("not json").toString("base64"),
        }),
        400,
        "InvalidRequestContentException",
      );
    });

    test("a response over 6 MB answers 200 with Function.ResponseSizeTooLarge", async () => {
      expect((await createFunction(agent.url, createBody("big", BIG_RESPONSE))).status).toBe(201);
      const response = await invoke(agent.url, "big");
      expect(response.status).toBe(200);
      expect(response.headers.get("x-amz-function-error")).toBe("Unhandled");
      expect((await response.json() as { errorType: string }).errorType).toBe(
        "Function.ResponseSizeTooLarge",
      );
    });

    test("an Event payload over 256 KB answers 413", async () => {
      await expectLambdaError(
        await invoke(agent.url, "fn", JSON.stringify("x".repeat(300 * 1024)), {
          "X-Amz-Invocation-Type": "Event",
        }),
        413,
        "RequestTooLargeException",
      );
    });

    test("Tail gives at most the last 4 KB of the log", async () => {
      const chatty =
        `exports.handler = async () => { for (let i = 0; i < 200; i++) console.log("line " + i + " " + "y".repeat(40)); return 1; };`;
      expect((await createFunction(agent.url, createBody("chatty", chatty))).status).toBe(201);
      const response = await invoke(agent.url, "chatty", "{}", { "X-Amz-Log-Type": "Tail" });
      const tail = Buffer.from(response.headers.get("x-amz-log-result") ?? "", "base64");
      expect(tail.byteLength).toBe(4096);
      const text = tail.toString("utf8");
      expect(text).toContain("line 199");
      expect(text).not.toContain("START RequestId");
      expect(text).toMatch(/REPORT RequestId: .*\t\n$/);
    });
  });
});
