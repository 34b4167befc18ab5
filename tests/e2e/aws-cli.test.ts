/** @module The AWS CLI v2, unmodified, drives lambdalet through --endpoint-url. */
import { AWS_CLI_TEST_TIMEOUT_MS } from "../helpers/timeouts.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { AWS_CLI, awsEnvironment, explainSkip } from "../helpers/aws-tools.ts";
import { buildZip } from "../../lib/code/mod.ts";
import { handlerZip, taggedHandler } from "../helpers/functions.ts";
import { runProcess } from "../helpers/process.ts";

if (!AWS_CLI) {
  explainSkip(
    "AWS CLI tests",
    "/usr/bin/aws is missing (Debian package awscli; scripts/test.sh installs it)",
  );
}

describe.skipIf(!AWS_CLI)("the AWS CLI v2 against lambdalet", () => {
  let agent: AgentProcess;
  let work: string;

  async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return await runProcess([AWS_CLI!, "lambda", ...args, "--endpoint-url", agent.url], {
      cwd: work,
      env: awsEnvironment(agent.url),
    });
  }

  async function awsJson<T>(...args: string[]): Promise<T> {
    const result = await aws(...args);
    if (result.code !== 0) throw new Error(`aws ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    return result.stdout.trim() ? JSON.parse(result.stdout) as T : ({} as T);
  }

  beforeAll(async () => {
    agent = await startAgentProcess();
    work = tempDir("lambdalet-awscli-");
    writeFileSync(join(work, "v1.zip"), handlerZip(taggedHandler("v1")));
    writeFileSync(join(work, "v2.zip"), handlerZip(taggedHandler("v2")));
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("create-function, invoke with a log tail and a client context, Event and DryRun", async () => {
    const created = await awsJson<{ FunctionName: string; State: string }>(
      "create-function",
      "--function-name",
      "cli-fn",
      "--runtime",
      "nodejs20.x",
      "--role",
      "arn:aws:iam::123456789012:role/lambda",
      "--handler",
      "index.handler",
      "--zip-file",
      "fileb://v1.zip",
      "--environment",
      "Variables={STAGE=cli}",
      "--timeout",
      "5",
    );
    expect(created).toMatchObject({ FunctionName: "cli-fn", State: "Active" });
    expect((await aws("wait", "function-active-v2", "--function-name", "cli-fn")).code).toBe(0);

    const invoked = await awsJson<{ StatusCode: number; ExecutedVersion: string; LogResult: string }>(
      "invoke",
      "--function-name",
      "cli-fn",
      "--cli-binary-format",
      "raw-in-base64-out",
      "--payload",
      '{"name":"Roy Singh"}',
      "--log-type",
      "Tail",
      "--client-context",
      Buffer.from('{"custom":{"k":"v"}}').toString("base64"),
      "out.json",
    );
    expect(invoked.StatusCode).toBe(200);
    expect(invoked.ExecutedVersion).toBe("$LATEST");
    expect(Buffer.from(invoked.LogResult, "base64").toString()).toContain('handling {"name":"Roy Singh"}');
    const body = JSON.parse(readFileSync(join(work, "out.json"), "utf8"));
    expect(body).toMatchObject({ tag: "v1", stage: "cli", clientContext: { custom: { k: "v" } } });

    const event = await awsJson<{ StatusCode: number }>(
      "invoke",
      "--function-name",
      "cli-fn",
      "--invocation-type",
      "Event",
      "event.json",
    );
    expect(event.StatusCode).toBe(202);
    const dry = await awsJson<{ StatusCode: number }>(
      "invoke",
      "--function-name",
      "cli-fn",
      "--invocation-type",
      "DryRun",
      "dry.json",
    );
    expect(dry.StatusCode).toBe(204);
  }, AWS_CLI_TEST_TIMEOUT_MS);

  test("update-function-code --publish, update-function-configuration, aliases and qualifiers", async () => {
    const updated = await awsJson<{ Version: string }>(
      "update-function-code",
      "--function-name",
      "cli-fn",
      "--zip-file",
      "fileb://v2.zip",
      "--publish",
    );
    expect(updated.Version).toBe("1");
    const configured = await awsJson<{ Environment: { Variables: Record<string, string> } }>(
      "update-function-configuration",
      "--function-name",
      "cli-fn",
      "--environment",
      "Variables={STAGE=later}",
    );
    expect(configured.Environment.Variables).toEqual({ STAGE: "later" });
    const alias = await awsJson<{ AliasArn: string }>(
      "create-alias",
      "--function-name",
      "cli-fn",
      "--name",
      "live",
      "--function-version",
      "1",
    );
    expect(alias.AliasArn).toEndWith(":function:cli-fn:live");
    const viaAlias = await awsJson<{ ExecutedVersion: string }>(
      "invoke",
      "--function-name",
      "cli-fn",
      "--qualifier",
      "live",
      "alias.json",
    );
    expect(viaAlias.ExecutedVersion).toBe("1");
    expect(JSON.parse(readFileSync(join(work, "alias.json"), "utf8"))).toMatchObject({
      tag: "v2",
      stage: "cli",
    });
    const latest = await awsJson<{ ExecutedVersion: string }>(
      "invoke",
      "--function-name",
      "cli-fn",
      "latest.json",
    );
    expect(latest.ExecutedVersion).toBe("$LATEST");
    expect(JSON.parse(readFileSync(join(work, "latest.json"), "utf8"))).toMatchObject({ stage: "later" });
  }, AWS_CLI_TEST_TIMEOUT_MS);

  test("list-functions, list-versions-by-function, list-aliases, get-function", async () => {
    const functions = await awsJson<{ Functions: { FunctionName: string }[] }>("list-functions");
    expect(functions.Functions.map((fn) => fn.FunctionName)).toEqual(["cli-fn"]);
    const versions = await awsJson<{ Versions: { Version: string }[] }>(
      "list-versions-by-function",
      "--function-name",
      "cli-fn",
    );
    expect(versions.Versions.map((version) => version.Version)).toEqual(["$LATEST", "1"]);
    const aliases = await awsJson<{ Aliases: { Name: string; FunctionVersion: string }[] }>(
      "list-aliases",
      "--function-name",
      "cli-fn",
    );
    expect(aliases.Aliases).toMatchObject([{ Name: "live", FunctionVersion: "1" }]);
    const got = await awsJson<{ Configuration: { Version: string }; Code: { Location: string } }>(
      "get-function",
      "--function-name",
      "cli-fn",
      "--qualifier",
      "1",
    );
    expect(got.Configuration.Version).toBe("1");
    expect(got.Code.Location).toStartWith(agent.url);
  }, AWS_CLI_TEST_TIMEOUT_MS);

  test("service errors come out as the AWS CLI prints them, with exit code 254", async () => {
    const missing = await aws("get-function", "--function-name", "nope");
    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain(
      "An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope",
    );
    const bad = await aws(
      "update-function-configuration",
      "--function-name",
      "cli-fn",
      "--timeout",
      "901",
    );
    expect(bad.code).toBe(254);
    expect(bad.stderr).toContain("InvalidParameterValueException");
    const conflict = await aws(
      "create-function",
      "--function-name",
      "cli-fn",
      "--runtime",
      "nodejs20.x",
      "--role",
      "r",
      "--handler",
      "index.handler",
      "--zip-file",
      "fileb://v1.zip",
    );
    expect(conflict.stderr).toContain("ResourceConflictException");
  }, AWS_CLI_TEST_TIMEOUT_MS);

  test("create-function-url-config, get, update, list and delete; the URL answers curl", async () => {
    const created = await awsJson<{ FunctionUrl: string; AuthType: string }>(
      "create-function-url-config",
      "--function-name",
      "cli-fn",
      "--auth-type",
      "NONE",
      "--cors",
      "AllowOrigins=https://app.example,MaxAge=60",
    );
    expect(created.AuthType).toBe("NONE"); // (this CLI's model may predate InvokeMode: it would drop it)
    const urlId = new URL(created.FunctionUrl).hostname.split(".")[0]!;
    const answered = await fetch(`${agent.url}/url/${urlId}/`);
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { tag: string }).tag).toBe("v2");
    const updated = await awsJson<{ AuthType: string; FunctionUrl: string }>(
      "update-function-url-config",
      "--function-name",
      "cli-fn",
      "--auth-type",
      "AWS_IAM",
    );
    expect(updated).toMatchObject({ AuthType: "AWS_IAM", FunctionUrl: created.FunctionUrl });
    expect((await fetch(`${agent.url}/url/${urlId}/`)).status).toBe(403);
    const listed = await awsJson<{ FunctionUrlConfigs: { FunctionUrl: string }[] }>(
      "list-function-url-configs",
      "--function-name",
      "cli-fn",
    );
    expect(listed.FunctionUrlConfigs.map((config) => config.FunctionUrl)).toEqual([created.FunctionUrl]);
    expect((await aws("delete-function-url-config", "--function-name", "cli-fn")).code).toBe(0);
    const gone = await aws("get-function-url-config", "--function-name", "cli-fn");
    expect(gone.code).toBe(254);
    expect(gone.stderr).toContain("ResourceNotFoundException");
  }, AWS_CLI_TEST_TIMEOUT_MS);

  test("publish-layer-version, list-layers and create-function --layers", async () => {
    writeFileSync(
      join(work, "layer.zip"),
      buildZip({ "nodejs/node_modules/cli-greeting/index.js": "module.exports = 'from a layer';" }),
    );
    const layer = await awsJson<{ LayerVersionArn: string; Version: number; CompatibleRuntimes: string[] }>(
      "publish-layer-version",
      "--layer-name",
      "cli-layer",
      "--zip-file",
      "fileb://layer.zip",
      "--compatible-runtimes",
      "nodejs20.x",
      "nodejs22.x",
      "--description",
      "greetings",
    );
    expect(layer).toMatchObject({ Version: 1, CompatibleRuntimes: ["nodejs20.x", "nodejs22.x"] });
    const listed = await awsJson<
      { Layers: { LayerName: string; LatestMatchingVersion: { Version: number } }[] }
    >(
      "list-layers",
      "--compatible-runtime",
      "nodejs20.x",
    );
    expect(listed.Layers).toEqual([
      expect.objectContaining({
        LayerName: "cli-layer",
        LatestMatchingVersion: expect.objectContaining({ Version: 1 }),
      }),
    ]);
    writeFileSync(
      join(work, "uses-layer.zip"),
      handlerZip("exports.handler = async () => require('cli-greeting');"),
    );
    const created = await awsJson<{ Layers: { Arn: string; CodeSize: number }[] }>(
      "create-function",
      "--function-name",
      "cli-layered",
      "--runtime",
      "nodejs20.x",
      "--role",
      "arn:aws:iam::123456789012:role/lambda",
      "--handler",
      "index.handler",
      "--zip-file",
      "fileb://uses-layer.zip",
      "--layers",
      layer.LayerVersionArn,
    );
    expect(created.Layers.map((item) => item.Arn)).toEqual([layer.LayerVersionArn]);
    await awsJson("invoke", "--function-name", "cli-layered", "layered.json");
    expect(JSON.parse(readFileSync(join(work, "layered.json"), "utf8"))).toBe("from a layer");
    const fetched = await awsJson<{ Content: { Location: string } }>(
      "get-layer-version-by-arn",
      "--arn",
      layer.LayerVersionArn,
    );
    expect((await fetch(fetched.Content.Location)).status).toBe(200);
    expect((await aws("delete-layer-version", "--layer-name", "cli-layer", "--version-number", "1")).code)
      .toBe(0);
    expect((await aws("delete-function", "--function-name", "cli-layered")).code).toBe(0);
  }, AWS_CLI_TEST_TIMEOUT_MS);

  test("delete-function removes the function", async () => {
    expect((await aws("delete-alias", "--function-name", "cli-fn", "--name", "live")).code).toBe(0);
    expect((await aws("delete-function", "--function-name", "cli-fn")).code).toBe(0);
    expect((await aws("get-function", "--function-name", "cli-fn")).code).toBe(254);
  }, AWS_CLI_TEST_TIMEOUT_MS);
});
