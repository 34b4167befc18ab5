/** @module lambdalet's own client commands take the AWS CLI's flags and print what it prints. */
import { CLI_TEST_TIMEOUT_MS } from "../helpers/timeouts.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { runCli } from "../helpers/cli.ts";
import { handlerZip, taggedHandler } from "../helpers/functions.ts";

const S3_HANDLER = `exports.handler = async (event) => ({
  key: event.Records[0].s3.object.key,
  bucket: event.Records[0].s3.bucket.name,
  eventName: event.Records[0].eventName,
});
`;

describe("lambdalet client commands", () => {
  let agent: AgentProcess;
  let work: string;

  async function cli(...args: string[]) {
    return await runCli([...args, "--endpoint-url", agent.url], { cwd: work });
  }

  async function cliJson<T>(...args: string[]): Promise<T> {
    const result = await cli(...args);
    if (result.code !== 0) {
      throw new Error(`lambdalet ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as T;
  }

  beforeAll(async () => {
    agent = await startAgentProcess();
    work = tempDir("lambdalet-cli-");
    writeFileSync(join(work, "v1.zip"), handlerZip(taggedHandler("v1")));
    writeFileSync(join(work, "v2.zip"), handlerZip(taggedHandler("v2")));
    writeFileSync(join(work, "s3.zip"), handlerZip(S3_HANDLER));
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("create-function with Edge flags, then get-function and get-function-configuration", async () => {
    const created = await cliJson<{ Edge: Record<string, unknown>; Timeout: number }>(
      "create-function",
      "--function-name",
      "fn",
      "--runtime",
      "nodejs20.x",
      "--handler",
      "index.handler",
      "--zip-file",
      "fileb://v1.zip",
      "--timeout",
      "7",
      "--edge",
      '{"maxInstancesCount":4,"maxIdleTimeInSeconds":30}',
    );
    expect(created.Timeout).toBe(7);
    expect(created.Edge).toMatchObject({ maxInstancesCount: 4, maxIdleTimeInSeconds: 30, pinned: false });
    const got = await cliJson<{ Configuration: { FunctionName: string }; Code: { Location: string } }>(
      "get-function",
      "--function-name",
      "fn",
    );
    expect(got.Configuration.FunctionName).toBe("fn");
    expect(got.Code.Location).toStartWith(`${agent.url}/`);
    const config = await cliJson<{ Timeout: number }>("get-function-configuration", "--function-name", "fn");
    expect(config.Timeout).toBe(7);
  }, CLI_TEST_TIMEOUT_MS);

  test(
    "update-function-code --publish, publish-version, aliases with routing, and qualified invokes",
    async () => {
      const published = await cliJson<{ Version: string }>(
        "publish-version",
        "--function-name",
        "fn",
        "--description",
        "one",
      );
      expect(published.Version).toBe("1");
      const updated = await cliJson<{ Version: string }>(
        "update-function-code",
        "--function-name",
        "fn",
        "--zip-file",
        "fileb://v2.zip",
        "--publish",
      );
      expect(updated.Version).toBe("2");
      const alias = await cliJson<{ Name: string; RoutingConfig: unknown }>(
        "create-alias",
        "--function-name",
        "fn",
        "--name",
        "live",
        "--function-version",
        "1",
        "--routing-config",
        "AdditionalVersionWeights={2=0.25}",
      );
      expect(alias).toMatchObject({
        Name: "live",
        RoutingConfig: { AdditionalVersionWeights: { "2": 0.25 } },
      });
      const moved = await cliJson<{ FunctionVersion: string; RoutingConfig?: unknown }>(
        "update-alias",
        "--function-name",
        "fn",
        "--name",
        "live",
        "--function-version",
        "2",
        "--routing-config",
        "{}",
      );
      expect(moved.FunctionVersion).toBe("2");
      expect(moved.RoutingConfig).toBeUndefined();
      const meta = await cliJson<{ ExecutedVersion: string }>(
        "invoke",
        "--function-name",
        "fn",
        "--qualifier",
        "live",
        "out.json",
      );
      expect(meta.ExecutedVersion).toBe("2");
      expect(JSON.parse(readFileSync(join(work, "out.json"), "utf8")).tag).toBe("v2");
      const aliases = await cliJson<{ Aliases: { Name: string }[] }>("list-aliases", "--function-name", "fn");
      expect(aliases.Aliases.map((item) => item.Name)).toEqual(["live"]);
      const versions = await cliJson<{ Versions: { Version: string }[] }>(
        "list-versions-by-function",
        "--function-name",
        "fn",
      );
      expect(versions.Versions.map((item) => item.Version)).toEqual(["$LATEST", "1", "2"]);
      expect((await cli("get-alias", "--function-name", "fn", "--name", "live")).code).toBe(0);
      expect((await cli("delete-alias", "--function-name", "fn", "--name", "live")).code).toBe(0);
      expect((await cli("get-alias", "--function-name", "fn", "--name", "live")).code).toBe(254);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  test("update-function-configuration changes $LATEST only", async () => {
    const updated = await cliJson<{ Environment: { Variables: Record<string, string> }; MemorySize: number }>(
      "update-function-configuration",
      "--function-name",
      "fn",
      "--environment",
      "Variables={STAGE=late}",
      "--memory-size",
      "256",
    );
    expect(updated.Environment.Variables).toEqual({ STAGE: "late" });
    expect(updated.MemorySize).toBe(256);
    await cliJson("invoke", "--function-name", "fn", "latest.json");
    expect(JSON.parse(readFileSync(join(work, "latest.json"), "utf8")).stage).toBe("late");
    await cliJson("invoke", "--function-name", "fn:1", "one.json");
    expect(JSON.parse(readFileSync(join(work, "one.json"), "utf8")).stage).toBeNull();
  }, CLI_TEST_TIMEOUT_MS);

  test("invoke --log-type Tail prints the log tail to stderr, and --event sends a sample event", async () => {
    const tailed = await cli("invoke", "--function-name", "fn", "--log-type", "Tail", "tail.json");
    expect(tailed.code).toBe(0);
    expect(JSON.parse(tailed.stdout).LogResult).toBeTruthy();
    expect(tailed.stderr).toMatch(/^START RequestId: /);
    expect(tailed.stderr).toContain("REPORT RequestId: ");
    await cliJson(
      "create-function",
      "--function-name",
      "s3fn",
      "--runtime",
      "nodejs22.x",
      "--handler",
      "index.handler",
      "--zip-file",
      "fileb://s3.zip",
    );
    await cliJson("invoke", "--function-name", "s3fn", "--event", "s3:put", "s3.json");
    expect(JSON.parse(readFileSync(join(work, "s3.json"), "utf8"))).toEqual({
      key: "photos/HappyFace.jpg",
      bucket: "example-bucket",
      eventName: "ObjectCreated:Put",
    });
    const generated = await runCli(
      ["events", "generate", "s3", "delete", "--bucket", "b", "--key", "k.txt"],
      { cwd: work },
    );
    writeFileSync(join(work, "delete.json"), generated.stdout);
    await cliJson("invoke", "--function-name", "s3fn", "--payload", "file://delete.json", "del.json");
    expect(JSON.parse(readFileSync(join(work, "del.json"), "utf8"))).toEqual({
      key: "k.txt",
      bucket: "b",
      eventName: "ObjectRemoved:Delete",
    });
  }, CLI_TEST_TIMEOUT_MS);

  test("list-functions follows every page, and --max-items stops after one", async () => {
    const all = await cliJson<{ Functions: { FunctionName: string }[] }>("list-functions");
    expect(all.Functions.map((fn) => fn.FunctionName)).toEqual(["fn", "s3fn"]);
    const one = await cliJson<{ Functions: unknown[]; NextMarker: string }>(
      "list-functions",
      "--max-items",
      "1",
    );
    expect(one.Functions.length).toBe(1);
    const next = await cliJson<{ Functions: { FunctionName: string }[] }>(
      "list-functions",
      "--max-items",
      "1",
      "--starting-token",
      one.NextMarker,
    );
    expect(next.Functions.map((fn) => fn.FunctionName)).toEqual(["s3fn"]);
  }, CLI_TEST_TIMEOUT_MS);

  test("--output table prints text tables", async () => {
    const result = await cli("get-account-settings", "--output", "table");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("AccountUsage");
    expect(result.stdout).toMatch(/\| FunctionCount +\| 2 +\|/);
  }, CLI_TEST_TIMEOUT_MS);

  test("bad flags exit 252 and service errors exit 254 with the AWS CLI's message", async () => {
    const badFlag = await cli(
      "create-function",
      "--function-name",
      "x",
      "--runtime",
      "nodejs20.x",
      "--handler",
      "i.h",
      "--zip-file",
      "fileb://v1.zip",
      "--timeout",
      "soon",
    );
    expect(badFlag.code).toBe(252);
    expect(badFlag.stderr).toContain("Error parsing parameter '--timeout'");
    const missing = await cli("delete-function", "--function-name", "ghost");
    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain(
      "An error occurred (ResourceNotFoundException) when calling the DeleteFunction operation",
    );
    const noAgent = await runCli([
      "get-function",
      "--function-name",
      "fn",
      "--endpoint-url",
      "http://127.0.0.1:9",
    ], { cwd: work });
    expect(noAgent.code).toBe(255);
    expect(noAgent.stderr).toContain("Could not connect to the endpoint URL");
  }, CLI_TEST_TIMEOUT_MS);

  test("create-function-url-config and friends: the URL answers, then is gone", async () => {
    const created = await cliJson<{ FunctionUrl: string; EdgePathUrl: string; AuthType: string }>(
      "create-function-url-config",
      "--function-name",
      "fn",
      "--auth-type",
      "NONE",
      "--cors",
      '{"AllowOrigins":["*"]}',
    );
    expect(created.AuthType).toBe("NONE");
    expect((await fetch(created.EdgePathUrl)).status).toBe(200);
    expect((await cli("url", "--function-name", "fn")).stdout.trim()).toBe(created.EdgePathUrl);
    expect((await cli("url", "--function-name", "fn", "--form", "host")).stdout.trim()).toBe(
      created.FunctionUrl,
    );
    expect((await cli("url", "--function-name", "fn", "--form", "dns")).code).toBe(252);
    const updated = await cliJson<{ AuthType: string }>(
      "update-function-url-config",
      "--function-name",
      "fn",
      "--auth-type",
      "AWS_IAM",
    );
    expect(updated.AuthType).toBe("AWS_IAM");
    expect((await fetch(created.EdgePathUrl)).status).toBe(403);
    const listed = await cliJson<{ FunctionUrlConfigs: unknown[] }>(
      "list-function-url-configs",
      "--function-name",
      "fn",
    );
    expect(listed.FunctionUrlConfigs).toHaveLength(1);
    const bad = await cli(
      "create-function-url-config",
      "--function-name",
      "fn",
      "--auth-type",
      "NONE",
      "--cors",
      "{",
    );
    expect(bad.code).toBe(252);
    expect((await cli("delete-function-url-config", "--function-name", "fn")).code).toBe(0);
    expect((await cli("get-function-url-config", "--function-name", "fn")).code).toBe(254);
  }, CLI_TEST_TIMEOUT_MS);

  test("event-sources list shows a function's subscriptions and its schedule's next fire", async () => {
    const created = await cli(
      "create-function",
      "--function-name",
      "ticker",
      "--runtime",
      "nodejs20.x",
      "--role",
      "r",
      "--handler",
      "index.handler",
      "--zip-file",
      "fileb://v1.zip",
      "--edge",
      '{"eventSources":[{"type":"SCHEDULE","expression":"rate(5 minutes)"},{"type":"PUB_SUB","topic":"a/#"}]}',
    );
    expect(created.code).toBe(0);
    const listed = await cliJson<{ EventSources: Record<string, unknown>[] }>(
      "event-sources",
      "list",
      "--function-name",
      "ticker",
    );
    expect(listed.EventSources).toHaveLength(1);
    const [ticker] = listed.EventSources as {
      Subscriptions: { Topic: string }[];
      Schedules: { Expression: string; NextFireAt: string }[];
    }[];
    expect(ticker!.Subscriptions.map((item) => item.Topic)).toEqual(["a/#"]);
    expect(ticker!.Schedules[0]!.Expression).toBe("rate(5 minutes)");
    const next = Date.parse(ticker!.Schedules[0]!.NextFireAt);
    expect(next - Date.now()).toBeGreaterThan(3 * 60_000);
    expect(next - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect((await cli("delete-function", "--function-name", "ticker")).code).toBe(0);
  }, CLI_TEST_TIMEOUT_MS);

  test("delete-function --qualifier deletes one version, then the whole function", async () => {
    expect((await cli("delete-function", "--function-name", "fn", "--qualifier", "1")).code).toBe(0);
    const versions = await cliJson<{ Versions: { Version: string }[] }>(
      "list-versions-by-function",
      "--function-name",
      "fn",
    );
    expect(versions.Versions.map((item) => item.Version)).toEqual(["$LATEST", "2"]);
    expect((await cli("delete-function", "--function-name", "fn")).code).toBe(0);
    expect((await cli("get-function", "--function-name", "fn")).code).toBe(254);
  }, CLI_TEST_TIMEOUT_MS);
});
