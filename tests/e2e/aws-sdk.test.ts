/** @module The AWS SDK for JavaScript v3, unmodified, drives the whole Lambda API of a running agent. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  RequestTooLargeException,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";
import { agentCredentials } from "../helpers/api-client.ts";
import { eventually, handlerZip, taggedHandler } from "../helpers/functions.ts";

interface Tagged {
  tag: string;
  version: string;
  invokedFunctionArn: string;
  clientContext: unknown;
  stage: string | null;
}

const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe("the AWS SDK for JavaScript v3 against lambdalet", () => {
  let agent: AgentProcess;
  let client: LambdaClient;
  const name = "sdk-fn";

  async function invokeJson(
    params: Omit<ConstructorParameters<typeof InvokeCommand>[0], "FunctionName"> & { FunctionName?: string },
  ) {
    const response = await client.send(new InvokeCommand({ FunctionName: name, ...params }));
    return { response, body: JSON.parse(decode(response.Payload)) as Tagged };
  }

  beforeAll(async () => {
    agent = await startAgentProcess();
    client = new LambdaClient({
      endpoint: agent.url,
      region: "us-east-1",
      credentials: agentCredentials(agent.url)!,
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client?.destroy();
    await agent?.stop();
  });

  test("CreateFunction answers a configuration the SDK parses, and the waiter sees it Active", async () => {
    const created = await client.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Role: "arn:aws:iam::123456789012:role/lambda",
        Handler: "index.handler",
        Code: { ZipFile: handlerZip(taggedHandler("v1")) },
        Environment: { Variables: { STAGE: "one" } },
        Tags: { team: "edge" },
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.FunctionArn).toBe(`arn:aws:lambda:us-east-1:000000000000:function:${name}`);
    expect(created.State).toBe("Active");
    expect(created.Environment?.Variables).toEqual({ STAGE: "one" });
    const waited = await waitUntilFunctionActiveV2({ client, maxWaitTime: 10 }, { FunctionName: name });
    expect(String(waited.state)).toBe("SUCCESS");
  });

  test("GetFunction gives the configuration, tags and a Code.Location the zip downloads from", async () => {
    const got = await client.send(new GetFunctionCommand({ FunctionName: name }));
    expect(got.Configuration?.Handler).toBe("index.handler");
    expect(got.Tags).toEqual({ team: "edge" });
    const zip = new Uint8Array(await (await fetch(got.Code!.Location!)).arrayBuffer());
    expect(new Bun.CryptoHasher("sha256").update(zip).digest("base64")).toBe(got.Configuration!.CodeSha256!);
    expect(zip.byteLength).toBe(got.Configuration!.CodeSize!);
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(configuration.CodeSha256).toBe(got.Configuration?.CodeSha256);
  });

  test("Invoke RequestResponse with a log tail and a client context", async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { device: "pi-7" } })).toString("base64");
    const { response, body } = await invokeJson({
      Payload: new TextEncoder().encode('{"hello":"world"}'),
      LogType: "Tail",
      ClientContext: clientContext,
    });
    expect(response.StatusCode).toBe(200);
    expect(response.ExecutedVersion).toBe("$LATEST");
    expect(response.FunctionError).toBeUndefined();
    expect(body).toMatchObject({
      tag: "v1",
      version: "$LATEST",
      stage: "one",
      clientContext: { custom: { device: "pi-7" } },
    });
    const log = Buffer.from(response.LogResult!, "base64").toString("utf8");
    expect(log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(log).toContain('handling {"hello":"world"}');
    expect(log).toMatch(/END RequestId: [0-9a-f-]{36}\n/);
    expect(log).toMatch(
      /REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/,
    );
  });

  test("Invoke Event answers 202 and the function runs in the background", async () => {
    const file = join(workerWritableDir(), "events.txt");
    const response = await client.send(
      new InvokeCommand({
        FunctionName: name,
        InvocationType: "Event",
        Payload: new TextEncoder().encode(JSON.stringify({ writeTo: file })),
      }),
    );
    expect(response.StatusCode).toBe(202);
    const written = await eventually(() => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    });
    expect(written.trim()).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("Invoke DryRun answers 204 without running anything", async () => {
    const response = await client.send(new InvokeCommand({ FunctionName: name, InvocationType: "DryRun" }));
    expect(response.StatusCode).toBe(204);
  });

  test("UpdateFunctionCode, PublishVersion and qualifiers: versions keep their own code and configuration", async () => {
    const published = await client.send(
      new PublishVersionCommand({ FunctionName: name, Description: "first" }),
    );
    expect(published.Version).toBe("1");
    expect(published.FunctionArn).toBe(`arn:aws:lambda:us-east-1:000000000000:function:${name}:1`);
    const again = await client.send(new PublishVersionCommand({ FunctionName: name }));
    expect(again.Version).toBe("1");
    const updated = await client.send(
      new UpdateFunctionCodeCommand({
        FunctionName: name,
        ZipFile: handlerZip(taggedHandler("v2")),
        Publish: true,
      }),
    );
    expect(updated.Version).toBe("2");
    await client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        Environment: { Variables: { STAGE: "three" } },
      }),
    );
    expect((await invokeJson({})).body).toMatchObject({ tag: "v2", version: "$LATEST", stage: "three" });
    const one = await invokeJson({ Qualifier: "1" });
    expect(one.response.ExecutedVersion).toBe("1");
    expect(one.body).toMatchObject({ tag: "v1", version: "1", stage: "one" });
    expect((await invokeJson({ FunctionName: `${name}:2` })).body).toMatchObject({ tag: "v2", stage: "one" });
    const versions = await client.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
    expect(versions.Versions?.map((version) => version.Version)).toEqual(["$LATEST", "1", "2"]);
    expect(versions.Versions?.[1]?.Description).toBe("first");
  });

  test("aliases route to their version, and RoutingConfig splits invocations between two", async () => {
    const alias = await client.send(
      new CreateAliasCommand({ FunctionName: name, Name: "prod", FunctionVersion: "1" }),
    );
    expect(alias.AliasArn).toBe(`arn:aws:lambda:us-east-1:000000000000:function:${name}:prod`);
    const viaAlias = await invokeJson({ Qualifier: "prod" });
    expect(viaAlias.response.ExecutedVersion).toBe("1");
    expect(viaAlias.body.invokedFunctionArn).toBe(alias.AliasArn!);
    await client.send(
      new UpdateAliasCommand({
        FunctionName: name,
        Name: "prod",
        RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } },
      }),
    );
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      seen.add((await invokeJson({ FunctionName: `${name}:prod` })).response.ExecutedVersion!);
    }
    expect([...seen].sort()).toEqual(["1", "2"]);
    const got = await client.send(new GetAliasCommand({ FunctionName: name, Name: "prod" }));
    expect(got.RoutingConfig?.AdditionalVersionWeights).toEqual({ "2": 0.5 });
    const listed = await client.send(new ListAliasesCommand({ FunctionName: name }));
    expect(listed.Aliases?.map((item) => item.Name)).toEqual(["prod"]);
  });

  test("ListFunctions pages with MaxItems and Marker", async () => {
    await client.send(
      new CreateFunctionCommand({
        FunctionName: "sdk-other",
        Runtime: "nodejs20.x",
        Role: "arn:aws:iam::123456789012:role/lambda",
        Handler: "index.handler",
        Code: { ZipFile: handlerZip(taggedHandler("other")) },
      }),
    );
    const first = await client.send(new ListFunctionsCommand({ MaxItems: 1 }));
    expect(first.Functions?.map((fn) => fn.FunctionName)).toEqual(["sdk-fn"]);
    expect(first.NextMarker).toBeTruthy();
    const second = await client.send(new ListFunctionsCommand({ MaxItems: 1, Marker: first.NextMarker }));
    expect(second.Functions?.map((fn) => fn.FunctionName)).toEqual(["sdk-other"]);
    expect(second.NextMarker).toBeUndefined();
    const all = await client.send(new ListFunctionsCommand({ FunctionVersion: "ALL" }));
    expect(all.Functions?.filter((fn) => fn.FunctionName === name).map((fn) => fn.Version)).toEqual([
      "$LATEST",
      "1",
      "2",
    ]);
    const settings = await client.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountUsage?.FunctionCount).toBe(2);
  });

  test("every error arrives as the SDK's own exception class", async () => {
    await expect(client.send(new GetFunctionCommand({ FunctionName: "missing" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(client.send(new InvokeCommand({ FunctionName: name, Qualifier: "9" }))).rejects
      .toBeInstanceOf(
        ResourceNotFoundException,
      );
    await expect(client.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Role: "r",
        Handler: "index.handler",
        Code: { ZipFile: handlerZip("") },
      }),
    )).rejects.toBeInstanceOf(ResourceConflictException);
    await expect(client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 0 })))
      .rejects
      .toBeInstanceOf(InvalidParameterValueException);
    await expect(
      client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, RevisionId: "stale" })),
    )
      .rejects.toBeInstanceOf(PreconditionFailedException);
    await expect(
      client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode("{bad") })),
    )
      .rejects.toBeInstanceOf(InvalidRequestContentException);
    await expect(client.send(new InvokeCommand({ FunctionName: name, ClientContext: "not base64!" }))).rejects
      .toBeInstanceOf(InvalidRequestContentException);
    await expect(client.send(
      new InvokeCommand({
        FunctionName: name,
        Payload: new TextEncoder().encode(JSON.stringify("x".repeat(6 * 1024 * 1024))),
      }),
    )).rejects.toBeInstanceOf(RequestTooLargeException);
    await expect(client.send(
      new InvokeCommand({
        FunctionName: name,
        InvocationType: "Event",
        Payload: new TextEncoder().encode(JSON.stringify("x".repeat(300 * 1024))),
      }),
    )).rejects.toBeInstanceOf(RequestTooLargeException);
    const error = await client.send(new GetFunctionCommand({ FunctionName: "missing" })).catch((e: unknown) =>
      e
    );
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((error as ResourceNotFoundException).message).toBe(
      "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing",
    );
  });

  test("deleting an alias, a version, then the function", async () => {
    await expect(client.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }))).rejects
      .toBeInstanceOf(
        ResourceConflictException,
      );
    await client.send(new DeleteAliasCommand({ FunctionName: name, Name: "prod" }));
    await client.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    await expect(client.send(new InvokeCommand({ FunctionName: name, Qualifier: "1" }))).rejects
      .toBeInstanceOf(
        ResourceNotFoundException,
      );
    expect((await invokeJson({ Qualifier: "2" })).body.tag).toBe("v2");
    await client.send(new DeleteFunctionCommand({ FunctionName: name }));
    await expect(client.send(new GetFunctionCommand({ FunctionName: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(client.send(new InvokeCommand({ FunctionName: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});
