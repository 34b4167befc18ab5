/** @module `lambdalet import greengrass FILE` against a real agent: the component runs, by its alias. */
import { CLI_TEST_TIMEOUT_MS } from "../helpers/timeouts.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { runCli } from "../helpers/cli.ts";
import { handlerZip } from "../helpers/functions.ts";

const HANDLER = `exports.handler = async (event, context) => ({
  limit: process.env.LIMIT,
  got: event,
  version: context.functionVersion,
  arn: context.invokedFunctionArn,
});
`;

describe("lambdalet import greengrass", () => {
  let agent: AgentProcess;
  let work: string;

  const cli = (...args: string[]) => runCli([...args, "--endpoint-url", agent.url], { cwd: work });

  beforeAll(async () => {
    agent = await startAgentProcess();
    work = tempDir("lambdalet-gg-");
    writeFileSync(join(work, "hello.zip"), handlerZip(HANDLER));
    writeFileSync(
      join(work, "component.json"),
      JSON.stringify({
        lambdaFunction: {
          lambdaArn: "arn:aws:lambda:us-west-2:123456789012:function:HelloWorld:1",
          componentName: "com.example.HelloWorld",
          componentVersion: "1.0.0",
          componentLambdaParameters: {
            environmentVariables: { LIMIT: "300" },
            execArgs: ["-d"],
            timeoutInSeconds: 10,
            linuxProcessParams: { isolationMode: "NoContainer" },
          },
        },
      }),
    );
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("imports a component from its file and zip, warns, and the alias invokes it", async () => {
    const imported = await cli(
      "import",
      "greengrass",
      "component.json",
      "--zip-file",
      "fileb://hello.zip",
      "--runtime",
      "nodejs20.x",
      "--handler",
      "index.handler",
    );
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain("Warning: componentLambdaParameters.execArgs");
    const answer = JSON.parse(imported.stdout) as Record<string, unknown>;
    expect(answer).toMatchObject({
      FunctionName: "com-example-HelloWorld",
      Version: "1",
      AliasName: "v1_0_0",
      Created: true,
    });
    expect((answer.Configuration as { Edge: Record<string, unknown> }).Edge).toMatchObject({
      pinned: true,
      containerMode: "NoContainer",
    });

    const invoked = await cli(
      "invoke",
      "--function-name",
      "com-example-HelloWorld",
      "--qualifier",
      "v1_0_0",
      "--payload",
      '{"n":1}',
      "--cli-binary-format",
      "raw-in-base64-out",
      "out.json",
    );
    expect(invoked.code).toBe(0);
    expect(JSON.parse(invoked.stdout)).toMatchObject({ StatusCode: 200, ExecutedVersion: "1" });
    expect(JSON.parse(readFileSync(join(work, "out.json"), "utf8"))).toMatchObject({
      limit: "300",
      got: { n: 1 },
      version: "1",
    });
  }, CLI_TEST_TIMEOUT_MS);

  test("a second import without a zip takes the code of the version lambdaArn names here", async () => {
    writeFileSync(
      join(work, "next.json"),
      JSON.stringify({
        lambdaArn: "arn:aws:lambda:us-west-2:123456789012:function:com-example-HelloWorld:1",
        componentVersion: "1.1.0",
        componentLambdaParameters: { pinned: false, environmentVariables: { LIMIT: "400" } },
      }),
    );
    const imported = await cli("import", "greengrass", "next.json");
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ Version: "2", AliasName: "v1_1_0", Created: false });
    const invoked = await cli("invoke", "--function-name", "com-example-HelloWorld:v1_1_0", "out2.json");
    expect(invoked.code).toBe(0);
    expect(JSON.parse(readFileSync(join(work, "out2.json"), "utf8"))).toMatchObject({
      limit: "400",
      version: "2",
    });
  }, CLI_TEST_TIMEOUT_MS);

  test("a missing component file fails with exit code 252", async () => {
    const result = await cli("import", "greengrass", "absent.json");
    expect(result.code).toBe(252);
    expect(result.stderr).toContain("Cannot read the component absent.json");
  }, CLI_TEST_TIMEOUT_MS);
});
