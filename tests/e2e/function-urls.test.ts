/** @module Function URLs on a running agent: Lambda's URL API through the AWS SDK, requests through curl and fetch. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CreateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
  ListFunctionUrlConfigsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { signRequest } from "../../lib/auth/mod.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { agentCredentials, apiFetch } from "../helpers/api-client.ts";
import { createBody, createFunction } from "../helpers/functions.ts";
import { runProcess } from "../helpers/process.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Answers with the event it was given, as a structured result with a header and two cookies. */
const ECHO = `
exports.handler = async (event) => ({
  statusCode: 201,
  headers: { "content-type": "application/json", "x-custom": "yes" },
  cookies: ["a=1; Path=/", "b=2; Max-Age=60"],
  body: JSON.stringify(event),
});`;

/** Answers with the request's bytes: base64 in, base64 out. */
const MIRROR = `
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/octet-stream" },
  isBase64Encoded: true,
  body: event.isBase64Encoded ? event.body : Buffer.from(event.body ?? "").toString("base64"),
});`;

const PLAIN = `exports.handler = async () => "Hello, world!";`;

/** Streams its metadata and a first chunk, waits for the test to see that chunk (a file it writes), then ends. */
const STREAMER = `
const { existsSync } = require("node:fs");
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 207, headers: { "x-streamed": "yes" } });
  stream.write("first;");
  const until = Date.now() + 10000;
  while (!existsSync(process.env.MARKER) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  stream.write(existsSync(process.env.MARKER) ? "second" : "never-seen");
  stream.end();
});`;
const BOOM = `exports.handler = async () => { throw new Error("boom"); };`;

interface UrlEvent {
  version: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    apiId: string;
    authorizer: { iam: { accessKey: string } } | null;
    http: { method: string; path: string; sourceIp: string; userAgent: string };
    requestId: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

describe("function URLs", () => {
  let agent: AgentProcess;
  let client: LambdaClient;
  const urls: Record<string, { FunctionUrl: string; EdgePathUrl: string }> = {};
  let marker = "";

  async function urlOf(
    name: string,
    input: Omit<ConstructorParameters<typeof CreateFunctionUrlConfigCommand>[0], "FunctionName">,
  ) {
    const created = await client.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, ...input }));
    urls[name] = { FunctionUrl: created.FunctionUrl!, EdgePathUrl: pathForm(created.FunctionUrl!) };
    return created;
  }

  /** The path form of a URL (the SDK drops the `EdgePathUrl` member it does not know). */
  function pathForm(functionUrl: string): string {
    return `${agent.url}/url/${new URL(functionUrl).hostname.split(".")[0]}/`;
  }

  beforeAll(async () => {
    agent = await startAgentProcess();
    client = new LambdaClient({
      endpoint: agent.url,
      region: "us-east-1",
      credentials: agentCredentials(agent.url)!,
      maxAttempts: 1,
    });
    for (
      const [name, source] of Object.entries({
        echo: ECHO,
        mirror: MIRROR,
        plain: PLAIN,
        boom: BOOM,
        iam: ECHO,
      })
    ) {
      expect((await createFunction(agent.url, createBody(name, source))).status).toBe(201);
    }
    await urlOf("echo", {
      AuthType: "NONE",
      Cors: {
        AllowOrigins: ["https://app.example"],
        AllowMethods: ["GET", "POST"],
        AllowHeaders: ["x-token"],
        ExposeHeaders: ["x-custom"],
        MaxAge: 300,
      },
    });
    for (const name of ["mirror", "plain", "boom"]) await urlOf(name, { AuthType: "NONE" });
    await urlOf("iam", { AuthType: "AWS_IAM" });
    marker = join(workerWritableDir(), "seen");
    const streamer = createBody("streamer", STREAMER, { Environment: { Variables: { MARKER: marker } } });
    expect((await createFunction(agent.url, streamer)).status).toBe(201);
    await urlOf("streamer", { AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" });
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await agent?.stop();
  });

  test("CreateFunctionUrlConfig answers Lambda's shape; Get, Update, List and Delete work through the SDK", async () => {
    const { FunctionUrl, EdgePathUrl } = urls.echo!;
    expect(FunctionUrl).toMatch(/^http:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+\/$/);
    const raw = await apiFetch(`${agent.url}/2021-10-31/functions/echo/url`);
    expect((await raw.json() as { EdgePathUrl: string }).EdgePathUrl).toBe(EdgePathUrl);
    const got = await client.send(new GetFunctionUrlConfigCommand({ FunctionName: "echo" }));
    expect(got.FunctionUrl).toBe(FunctionUrl);
    expect(got.AuthType).toBe("NONE");
    expect(got.InvokeMode).toBe("BUFFERED");
    expect(got.FunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:echo");
    expect(got.Cors?.AllowOrigins).toEqual(["https://app.example"]);
    const updated = await client.send(
      new UpdateFunctionUrlConfigCommand({ FunctionName: "plain", Cors: { AllowOrigins: ["*"] } }),
    );
    expect(updated.FunctionUrl).toBe(urls.plain!.FunctionUrl);
    expect(updated.Cors?.AllowOrigins).toEqual(["*"]);
    const listed = await client.send(new ListFunctionUrlConfigsCommand({ FunctionName: "echo" }));
    expect(listed.FunctionUrlConfigs?.map((config) => config.FunctionUrl)).toEqual([FunctionUrl]);
    await expect(client.send(new CreateFunctionUrlConfigCommand({ FunctionName: "echo", AuthType: "NONE" })))
      .rejects.toBeInstanceOf(ResourceConflictException);
    await expect(client.send(new GetFunctionUrlConfigCommand({ FunctionName: "nope" })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test("a request becomes the payload format 2.0 event, and the structured result its response (curl by host name)", async () => {
    const { FunctionUrl } = urls.echo!;
    const host = new URL(FunctionUrl).hostname;
    const port = new URL(agent.url).port;
    const curl = await runProcess([
      "curl",
      "-s",
      "-i",
      "--resolve",
      `${host}:${port}:127.0.0.1`,
      "-H",
      "Cookie: session=abc; theme=dark",
      "-H",
      "content-type: application/json",
      "-A",
      "lambdalet-test",
      "-d",
      '{"hello":"world"}',
      `${FunctionUrl}items/42?tag=a&tag=b&q=x%20y`,
    ]);
    const [head, body] = curl.stdout.split("\r\n\r\n");
    expect(head).toStartWith("HTTP/1.1 201");
    expect(head).toContain("x-custom: yes");
    expect(head).toContain("set-cookie: a=1; Path=/");
    expect(head).toContain("set-cookie: b=2; Max-Age=60");
    const event = JSON.parse(body!) as UrlEvent;
    expect(event.version).toBe("2.0");
    expect(event.rawPath).toBe("/items/42");
    expect(event.rawQueryString).toBe("tag=a&tag=b&q=x%20y");
    expect(event.queryStringParameters).toEqual({ tag: "a,b", q: "x y" });
    expect(event.cookies).toEqual(["session=abc", "theme=dark"]);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers["content-type"]).toBe("application/json");
    expect(event.body).toBe('{"hello":"world"}');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.http).toMatchObject({
      method: "POST",
      path: "/items/42",
      sourceIp: "127.0.0.1",
      userAgent: "lambdalet-test",
    });
    expect(event.requestContext.apiId).toBe(host.split(".")[0]!);
    expect(event.requestContext.authorizer).toBeNull();
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(60_000);
  });

  test("the path form serves the same URL; its rawPath is what follows /url/<url-id>", async () => {
    const response = await fetch(`${urls.echo!.EdgePathUrl}a/b`);
    expect(response.status).toBe(201);
    const event = await response.json() as UrlEvent;
    expect(event.rawPath).toBe("/a/b");
    expect(event.requestContext.http.method).toBe("GET");
    expect(event.body).toBeUndefined();
    expect((await (await fetch(urls.echo!.EdgePathUrl.slice(0, -1))).json() as UrlEvent).rawPath).toBe("/");
  });

  test("a binary body reaches the function base64-encoded and comes back byte for byte", async () => {
    const bytes = new Uint8Array(4096).map((_, index) => (index * 37) % 256);
    const response = await fetch(urls.mirror!.EdgePathUrl, {
      method: "PUT",
      body: bytes,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
  });

  test("a plain result is a 200 JSON body; a function error is 502; an unknown URL 404", async () => {
    const plain = await fetch(urls.plain!.EdgePathUrl);
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("application/json");
    expect(await plain.text()).toBe('"Hello, world!"');
    const boom = await fetch(urls.boom!.EdgePathUrl);
    expect(boom.status).toBe(502);
    expect(await boom.json()).toEqual({ Message: "Internal Server Error" });
    const unknown = await fetch(`${agent.url}/url/${"0".repeat(32)}/`);
    expect(unknown.status).toBe(404);
  });

  test("CORS: a preflight is answered from the URL's settings; responses carry the allowed origin", async () => {
    const preflight = await fetch(urls.echo!.EdgePathUrl, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-token",
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET,POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("x-token");
    expect(preflight.headers.get("access-control-max-age")).toBe("300");
    const other = await fetch(urls.echo!.EdgePathUrl, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const actual = await fetch(urls.echo!.EdgePathUrl, { headers: { origin: "https://app.example" } });
    expect(actual.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(actual.headers.get("access-control-expose-headers")).toBe("x-custom");
  });

  test("AWS_IAM: unsigned and wrongly signed requests are refused; a key that may invoke the function is let in", async () => {
    const { EdgePathUrl } = urls.iam!;
    expect((await fetch(EdgePathUrl)).status).toBe(403);
    const credentials = agentCredentials(agent.url)!;
    const wrong = await signRequest({ method: "GET", url: EdgePathUrl, headers: {} }, {
      ...credentials,
      secretAccessKey: "not-the-secret-not-the-secret-not-the-secret",
    }, "us-east-1");
    expect((await fetch(EdgePathUrl, { headers: wrong })).status).toBe(403);
    const signed = await apiFetch(EdgePathUrl);
    expect(signed.status).toBe(201);
    const event = await signed.json() as UrlEvent;
    expect(event.requestContext.authorizer?.iam.accessKey).toBe(credentials.accessKeyId);
    const invokeOther = await apiFetch(`${agent.url}/lambdalet/v1/keys`, {
      method: "POST",
      body: JSON.stringify({ Scope: "invoke", Functions: ["echo"] }),
    });
    const key = await invokeOther.json() as { AccessKeyId: string; SecretAccessKey: string };
    const scoped = await signRequest({ method: "GET", url: EdgePathUrl, headers: {} }, {
      accessKeyId: key.AccessKeyId,
      secretAccessKey: key.SecretAccessKey,
    }, "us-east-1");
    expect((await fetch(EdgePathUrl, { headers: scoped })).status).toBe(403);
  });

  test("curl --aws-sigv4 calls an AWS_IAM URL by host name", async () => {
    const { FunctionUrl } = urls.iam!;
    const { accessKeyId, secretAccessKey } = agentCredentials(agent.url)!;
    const host = new URL(FunctionUrl).hostname;
    const curl = await runProcess([
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--resolve",
      `${host}:${new URL(agent.url).port}:127.0.0.1`,
      "--aws-sigv4",
      "aws:amz:us-east-1:lambda",
      "--user",
      `${accessKeyId}:${secretAccessKey}`,
      `${FunctionUrl}signed`,
    ]);
    expect(curl.stdout).toBe("201");
  });

  test("a deleted URL stops answering at once; so does the URL of a deleted alias", async () => {
    await client.send(new DeleteFunctionUrlConfigCommand({ FunctionName: "plain" }));
    expect((await fetch(urls.plain!.EdgePathUrl)).status).toBe(404);
    expect(
      (await apiFetch(`${agent.url}/2015-03-31/functions/echo/versions`, { method: "POST", body: "{}" }))
        .status,
    )
      .toBe(201);
    expect(
      (await apiFetch(`${agent.url}/2015-03-31/functions/echo/aliases`, {
        method: "POST",
        body: JSON.stringify({ Name: "live", FunctionVersion: "1" }),
      })).status,
    ).toBe(201);
    const live = await client.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: "echo", Qualifier: "live", AuthType: "NONE" }),
    );
    expect(live.FunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:echo:live");
    const path = pathForm(live.FunctionUrl!);
    expect((await fetch(path)).status).toBe(201);
    expect(
      (await apiFetch(`${agent.url}/2015-03-31/functions/echo/aliases/live`, { method: "DELETE" })).status,
    )
      .toBe(204);
    expect((await fetch(path)).status).toBe(404);
  });

  test(
    "a RESPONSE_STREAM URL sends the function's status and headers, then each chunk as it is written",
    async () => {
      const response = await fetch(`${urls.streamer!.EdgePathUrl}live`);
      expect(response.status).toBe(207);
      expect(response.headers.get("x-streamed")).toBe("yes");
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      while (!text.includes("first;")) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      // the handler is still waiting for this file: a buffered answer could not have shown the first chunk yet
      expect(text).toBe("first;");
      expect(existsSync(marker)).toBe(false);
      writeFileSync(marker, "");
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      expect(text).toBe("first;second");
    },
    30_000,
  );
});
