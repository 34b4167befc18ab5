/** @module `POST /lambdalet/v1/import/greengrass`, called in memory: a component as a function, version and alias. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HANDLERS, handlerZip } from "../helpers/functions.ts";
import { arnOf, base64, expectError, type InMemoryApi, openInMemoryApi } from "../helpers/in-memory-api.ts";

const IMPORT = "/lambdalet/v1/import/greengrass";
const FUNCTIONS = "/2015-03-31/functions";

interface Imported {
  FunctionName: string;
  Version: string;
  ComponentVersion: string;
  AliasName: string;
  AliasArn: string;
  Created: boolean;
  Configuration: {
    Runtime: string;
    Handler: string;
    Timeout: number;
    CodeSha256: string;
    Environment?: { Variables: Record<string, string> };
    Edge: Record<string, unknown>;
  };
  Warnings: string[];
}

let api: InMemoryApi;

beforeAll(async () => {
  api = await openInMemoryApi();
  await api.createFunction("source-fn", { Publish: true, Timeout: 9 });
});

afterAll(() => {
  api.close();
});

function component(extra: Record<string, unknown> = {}, arn = arnOf("source-fn", "1")) {
  return { lambdaFunction: { lambdaArn: arn, ...extra } };
}

describe("importing a component", () => {
  test("answers 201 with a new function, version 1 and the alias of its component version", async () => {
    const answer = await api.json<Imported>("POST", IMPORT, {
      greengrassComponent: component({
        componentName: "gg-hello",
        componentVersion: "1.0.0",
        componentLambdaParameters: {
          timeoutInSeconds: 30,
          environmentVariables: { LIMIT: "5" },
          pinned: false,
        },
      }),
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      FunctionName: "gg-hello",
      Version: "1",
      ComponentVersion: "1.0.0",
      AliasName: "v1_0_0",
      AliasArn: arnOf("gg-hello", "v1_0_0"),
      Created: true,
      Warnings: [],
    });
    // runtime, handler and code come from source-fn:1 on this agent; the rest from the component
    const source = await api.json<{ Configuration: { CodeSha256: string } }>("GET", `${FUNCTIONS}/source-fn`);
    expect(answer.body.Configuration).toMatchObject({
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Timeout: 30,
      CodeSha256: source.body.Configuration.CodeSha256,
      Environment: { Variables: { LIMIT: "5" } },
    });
    expect(answer.body.Configuration.Edge).toMatchObject({ pinned: false, maxQueueSize: 1000 });
    const alias = await api.json("GET", `${FUNCTIONS}/gg-hello/aliases/v1_0_0`);
    expect(alias.body).toMatchObject({ FunctionVersion: "1" });
  });

  test("importing the next component version updates $LATEST, publishes version 2 and adds its alias", async () => {
    const answer = await api.json<Imported>("POST", IMPORT, {
      greengrassComponent: component({
        componentName: "gg-hello",
        componentVersion: "1.1.0",
        componentLambdaParameters: { timeoutInSeconds: 31, pinned: false },
      }),
      Code: { ZipFile: base64(handlerZip(HANDLERS.counter)) },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ Version: "2", AliasName: "v1_1_0", Created: false });
    expect(answer.body.Configuration.Timeout).toBe(31);
    const old = await api.json("GET", `${FUNCTIONS}/gg-hello/aliases/v1_0_0`);
    expect(old.body).toMatchObject({ FunctionVersion: "1" });
  });

  test("answers the warnings of fields it does not apply", async () => {
    const answer = await api.json<Imported>("POST", IMPORT, {
      greengrassComponent: {
        ...component({
          componentName: "gg-warned",
          componentLambdaParameters: { execArgs: ["-v"], pinned: false, colour: "red" },
        }),
        clientToken: "t-1",
      },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.Warnings).toEqual([
      "clientToken is ignored: an import is applied at once",
      "lambdaFunction.componentLambdaParameters.colour is not a Greengrass field lambdalet knows: ignored",
      `componentLambdaParameters.execArgs ["-v"] are not passed: lambdalet starts the runtime's own interpreter and bootstrap`,
    ]);
    expect(answer.body.AliasName).toBe("v1_0_0"); // the ARN's version 1 as 1.0.0
  });

  test("takes --runtime and --handler over the local function's", async () => {
    const answer = await api.json<Imported>("POST", IMPORT, {
      greengrassComponent: component({
        componentName: "gg-flags",
        componentLambdaParameters: { pinned: false },
      }),
      Runtime: "nodejs22.x",
      Handler: "other.handler",
    });
    expect(answer.status).toBe(201);
    expect(answer.body.Configuration).toMatchObject({ Runtime: "nodejs22.x", Handler: "other.handler" });
  });
});

describe("refusals", () => {
  test("an unsigned request is refused", async () => {
    await expectError(
      await api.unsigned("POST", IMPORT, { greengrassComponent: component() }),
      403,
      "MissingAuthenticationTokenException",
      /not signed/,
    );
  });

  test("an invoke key is refused", async () => {
    const key = await api.json<{ AccessKeyId: string; SecretAccessKey: string }>(
      "POST",
      "/lambdalet/v1/keys",
      {
        Scope: "invoke",
        Functions: ["*"],
      },
    );
    await expectError(
      await api.request("POST", IMPORT, { greengrassComponent: component() }, {}, {
        accessKeyId: key.body.AccessKeyId,
        secretAccessKey: key.body.SecretAccessKey,
      }),
      403,
      "AccessDeniedException",
      /scope invoke/,
    );
  });

  test("bad input answers 400 naming the field", async () => {
    await expectError(
      await api.request("POST", IMPORT, {
        greengrassComponent: component({ componentLambdaParameters: { maxQueueSize: 0 } }),
      }),
      400,
      "InvalidParameterValueException",
      "1 validation error detected: Value at 'lambdaFunction.componentLambdaParameters.maxQueueSize' failed to satisfy constraint: must be ≥ 1",
    );
    await expectError(
      await api.request("POST", IMPORT, {
        greengrassComponent: { lambdaFunction: { lambdaArn: arnOf("x") } },
      }),
      400,
      "InvalidParameterValueException",
      /'lambdaFunction.lambdaArn' failed to satisfy constraint: must be a function ARN ending in a version number/,
    );
  });

  test("a lambdaArn naming a function not on this agent, with no code given, answers 404", async () => {
    await expectError(
      await api.request("POST", IMPORT, { greengrassComponent: component({}, arnOf("nowhere", "4")) }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${
        arnOf("nowhere", "4")
      }: the import takes what it does not give (code (--zip-file), --runtime, --handler) from that function version on this agent`,
    );
  });

  test("a lambdaArn naming an unknown function is fine when everything is given", async () => {
    const answer = await api.json<Imported>("POST", IMPORT, {
      greengrassComponent: component(
        { componentLambdaParameters: { pinned: false } },
        arnOf("elsewhere", "2"),
      ),
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Code: { ZipFile: base64(handlerZip(HANDLERS.greeting)) },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ FunctionName: "elsewhere", AliasName: "v2_0_0" });
  });
});

describe("a Greengrass component in a deployment document", () => {
  test("sets its function's $LATEST and answers its warnings", async () => {
    const answer = await api.json<{ Status: string; Functions: Record<string, string>; Warnings: string[] }>(
      "POST",
      "/lambdalet/v1/deployments",
      {
        functions: [{
          greengrassComponent: component({
            componentName: "gg-deployed",
            componentLambdaParameters: { timeoutInSeconds: 12, execArgs: ["-x"] },
          }),
          Code: { ZipFile: base64(handlerZip(HANDLERS.counter)) },
        }],
      },
    );
    expect(answer.status).toBe(201);
    expect(answer.body.Status).toBe("COMPLETED");
    expect(answer.body.Functions).toEqual({ "gg-deployed": "STARTED" }); // pinned, Greengrass's default
    expect(answer.body.Warnings).toEqual([
      expect.stringMatching(/^gg-deployed: componentLambdaParameters.execArgs/),
    ]);
    const config = await api.json<{ Timeout: number; Runtime: string; Edge: { pinned: boolean } }>(
      "GET",
      `${FUNCTIONS}/gg-deployed/configuration`,
    );
    expect(config.body).toMatchObject({ Timeout: 12, Runtime: "nodejs20.x", Edge: { pinned: true } });
  });

  test("refuses a document naming the same function twice through a component", async () => {
    await expectError(
      await api.request("POST", "/lambdalet/v1/deployments", {
        functions: [
          { greengrassComponent: component({ componentName: "twice" }) },
          { greengrassComponent: component({ componentName: "twice" }) },
        ],
      }),
      400,
      "InvalidParameterValueException",
      "The deployment names the function twice more than once",
    );
  });
});
