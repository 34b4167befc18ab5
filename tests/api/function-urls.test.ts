/** @module The function URL operations (2021-10-31) and requests to URLs, called in memory. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { LambdaError } from "../../lib/errors/mod.ts";
import {
  arnOf,
  errorOutcome,
  expectError,
  type InMemoryApi,
  openInMemoryApi,
  successOutcome,
} from "../helpers/in-memory-api.ts";

const urlPath = (name: string) => `/2021-10-31/functions/${name}/url`;

interface UrlConfig {
  FunctionUrl: string;
  FunctionArn: string;
  AuthType: string;
  Cors?: Record<string, unknown>;
  CreationTime: string;
  LastModifiedTime?: string;
  InvokeMode: string;
  EdgePathUrl: string;
}

let api: InMemoryApi;

beforeAll(async () => {
  api = await openInMemoryApi();
  await api.createFunction("web");
  await api.createFunction("other");
  expect((await api.request("POST", "/2015-03-31/functions/web/versions", {})).status).toBe(201);
  expect(
    (await api.request("POST", "/2015-03-31/functions/web/aliases", { Name: "live", FunctionVersion: "1" }))
      .status,
  )
    .toBe(201);
});

afterAll(() => api.close());

/** The path of a URL on the in-memory app. */
function pathOf(config: UrlConfig): string {
  return new URL(config.EdgePathUrl).pathname;
}

describe("CreateFunctionUrlConfig and friends", () => {
  test("Create answers 201 with Lambda's members; Get adds LastModifiedTime", async () => {
    const created = await api.json<UrlConfig>("POST", urlPath("web"), { AuthType: "NONE" });
    expect(created.status).toBe(201);
    expect(created.body.FunctionUrl).toMatch(/^http:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost\/$/);
    expect(created.body).toMatchObject({
      FunctionArn: arnOf("web"),
      AuthType: "NONE",
      InvokeMode: "BUFFERED",
    });
    expect(created.body.LastModifiedTime).toBeUndefined();
    const got = await api.json<UrlConfig>("GET", urlPath("web"));
    expect(got.body.FunctionUrl).toBe(created.body.FunctionUrl);
    expect(got.body.LastModifiedTime).toBe(created.body.CreationTime);
  });

  test("a second URL for the same function is a 409; an alias has its own", async () => {
    await expectError(
      await api.request("POST", urlPath("web"), { AuthType: "NONE" }),
      409,
      "ResourceConflictException",
      /FunctionUrlConfig exists/,
    );
    const alias = await api.json<UrlConfig>("POST", `${urlPath("web")}?Qualifier=live`, {
      AuthType: "AWS_IAM",
    });
    expect(alias.status).toBe(201);
    expect(alias.body.FunctionArn).toBe(arnOf("web", "live"));
  });

  test("a version number, an unknown alias or function, and bad members are refused", async () => {
    await expectError(
      await api.request("POST", `${urlPath("web")}?Qualifier=1`, { AuthType: "NONE" }),
      400,
      "InvalidParameterValueException",
      /not to version 1/,
    );
    await expectError(
      await api.request("POST", `${urlPath("web")}?Qualifier=nope`, { AuthType: "NONE" }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("web", "nope")}`,
    );
    await expectError(
      await api.request("POST", urlPath("ghost"), { AuthType: "NONE" }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("ghost")}`,
    );
    await expectError(
      await api.request("POST", urlPath("other"), { AuthType: "OPEN" }),
      400,
      "InvalidParameterValueException",
      /Member must satisfy enum value set: \[NONE, AWS_IAM\]/,
    );
    await expectError(
      await api.request("POST", urlPath("other"), { AuthType: "NONE", Cors: { MaxAge: 90000 } }),
      400,
      "InvalidParameterValueException",
      /less than or equal to 86400/,
    );
  });

  test("Update keeps the address and changes only what it names; Get of none is a 404", async () => {
    const before = await api.json<UrlConfig>("GET", urlPath("web"));
    const updated = await api.json<UrlConfig>("PUT", urlPath("web"), { Cors: { AllowOrigins: ["*"] } });
    expect(updated.status).toBe(200);
    expect(updated.body.FunctionUrl).toBe(before.body.FunctionUrl);
    expect(updated.body.AuthType).toBe("NONE");
    expect(updated.body.Cors).toEqual({ AllowOrigins: ["*"] });
    await expectError(
      await api.request("GET", urlPath("other")),
      404,
      "ResourceNotFoundException",
      /has no function URL/,
    );
  });

  test("List pages the URLs of a function", async () => {
    const all = await api.json<{ FunctionUrlConfigs: UrlConfig[] }>("GET", "/2021-10-31/functions/web/urls");
    expect(all.body.FunctionUrlConfigs.map((config) => config.FunctionArn)).toEqual([
      arnOf("web"),
      arnOf("web", "live"),
    ]);
    const first = await api.json<{ FunctionUrlConfigs: UrlConfig[]; NextMarker?: string }>(
      "GET",
      "/2021-10-31/functions/web/urls?MaxItems=1",
    );
    expect(first.body.FunctionUrlConfigs).toHaveLength(1);
    const second = await api.json<{ FunctionUrlConfigs: UrlConfig[]; NextMarker?: string }>(
      "GET",
      `/2021-10-31/functions/web/urls?MaxItems=1&Marker=${first.body.NextMarker}`,
    );
    expect(second.body.FunctionUrlConfigs[0]!.FunctionArn).toBe(arnOf("web", "live"));
  });

  test("the URL operations need an admin signature", async () => {
    await expectError(
      await api.unsigned("GET", urlPath("web")),
      403,
      "MissingAuthenticationTokenException",
      /not signed/,
    );
  });
});

describe("requests to a URL", () => {
  test("the function gets a payload format 2.0 event; an unstructured result is a 200 JSON body", async () => {
    const config = (await api.json<UrlConfig>("GET", urlPath("web"))).body;
    const before = api.runner.invocations.length;
    const response = await api.app.request(`${pathOf(config)}a/b?x=1&x=2`, {
      method: "POST",
      body: "plain text",
      headers: { "content-type": "text/plain", cookie: "k=v" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const invocation = api.runner.invocations[before]!;
    expect(invocation.target.config.functionName).toBe("web");
    expect(invocation.request.invokedFunctionArn).toBe(arnOf("web"));
    const event = JSON.parse(new TextDecoder().decode(invocation.request.payload));
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/a/b",
      rawQueryString: "x=1&x=2",
      cookies: ["k=v"],
      queryStringParameters: { x: "1,2" },
      body: "plain text",
      isBase64Encoded: false,
    });
    expect(event.requestContext.requestId).toBe(invocation.request.requestId);
    expect(await response.json()).toEqual(event); // the double answers the payload
  });

  test("a URL's host name serves every path, an Invoke path too (Invoke's own way in defers to it)", async () => {
    const config = (await api.json<UrlConfig>("GET", urlPath("web"))).body;
    const host = new URL(config.FunctionUrl).host;
    const path = "/2015-03-31/functions/other/invocations";
    for (const headers of [{ host }, {}] as Record<string, string>[]) {
      const before = api.runner.invocations.length;
      // by the Host header (as a client sends it), and by the URL alone (as a request built in memory has it)
      const url = "host" in headers ? `http://127.0.0.1${path}` : `http://${host}${path}`;
      const response = await api.app.request(url, { method: "POST", body: "{}", headers });
      expect(response.status).toBe(200);
      const invocation = api.runner.invocations[before]!;
      expect(invocation.target.config.functionName).toBe("web");
      const event = JSON.parse(new TextDecoder().decode(invocation.request.payload));
      expect(event).toMatchObject({ version: "2.0", rawPath: path });
    }
  });

  test("a structured result sets status, headers, cookies and a base64 body", async () => {
    const config = (await api.json<UrlConfig>("GET", urlPath("web"))).body;
    const original = api.runner.answer;
    api.runner.answer = () => ({
      outcome: successOutcome({
        statusCode: 418,
        headers: { "content-type": "image/png", "x-a": 1 },
        cookies: ["c=1", "d=2"],
        body: Buffer.from([1, 2, 3]).toString("base64"),
        isBase64Encoded: true,
      }),
      log: "",
    });
    try {
      const response = await api.app.request(pathOf(config));
      expect(response.status).toBe(418);
      expect(response.headers.get("x-a")).toBe("1");
      expect(response.headers.getSetCookie()).toEqual(["c=1", "d=2"]);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    } finally {
      api.runner.answer = original;
    }
  });

  test("a function error is a 502 and a throttle a 429, in the URL's own format", async () => {
    const config = (await api.json<UrlConfig>("GET", urlPath("web"))).body;
    const original = api.runner.answer;
    try {
      api.runner.answer = () => ({ outcome: errorOutcome("Error", "boom"), log: "" });
      const failed = await api.app.request(pathOf(config));
      expect(failed.status).toBe(502);
      expect(await failed.json()).toEqual({ Message: "Internal Server Error" });
      api.runner.answer = () => {
        throw new LambdaError("TooManyRequestsException", "Rate Exceeded.", {
          headers: { "Retry-After": "1" },
        });
      };
      const throttled = await api.app.request(pathOf(config));
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get("retry-after")).toBe("1");
    } finally {
      api.runner.answer = original;
    }
  });

  test("an AWS_IAM URL refuses unsigned requests; deleting the alias deletes its URL", async () => {
    const alias = (await api.json<UrlConfig>("GET", `${urlPath("web")}?Qualifier=live`)).body;
    const refused = await api.app.request(pathOf(alias));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ Message: "Forbidden" });
    expect((await api.request("GET", pathOf(alias))).status).toBe(200);
    expect((await api.request("DELETE", "/2015-03-31/functions/web/aliases/live")).status).toBe(204);
    expect((await api.request("GET", pathOf(alias))).status).toBe(404);
  });
});

describe("event sources", () => {
  test("every function's triggers are listed, with its URL on the origin called; /status carries them", async () => {
    await api.createFunction("triggered", {
      Edge: {
        eventSources: [{ type: "PUB_SUB", topic: "sensors/+/t" }, {
          type: "SCHEDULE",
          expression: "rate(5 minutes)",
        }],
        http: [{ path: "/items/{id}", method: "GET" }],
      },
    });
    const url = await api.json<UrlConfig>("POST", urlPath("triggered"), { AuthType: "NONE" });
    const listed = await api.json<{ EventSources: Record<string, unknown>[] }>(
      "GET",
      "/lambdalet/v1/event-sources?FunctionName=triggered",
    );
    expect(listed.status).toBe(200);
    expect(listed.body.EventSources).toEqual([{
      FunctionName: "triggered",
      Urls: [{
        Qualifier: null,
        FunctionUrl: url.body.FunctionUrl,
        EdgePathUrl: url.body.EdgePathUrl,
        AuthType: "NONE",
        InvokeMode: "BUFFERED",
      }],
      Routes: [{
        Method: "GET",
        Path: "/items/{id}",
        AuthType: "AWS_IAM",
        Url: "http://localhost/api/items/{id}",
      }],
      Subscriptions: [{ Topic: "sensors/+/t", ReceiveMode: "RECEIVE_MESSAGES_FROM_OTHERS" }],
      Schedules: [], // the control plane (its schedule runner) is not started in memory: see the CLI's e2e test
    }]);
    const status = await api.json<{ eventSources: { FunctionName: string }[] }>("GET", "/status");
    expect(status.body.eventSources.map((item) => item.FunctionName)).toContain("triggered");
    await expectError(
      await api.request("GET", "/lambdalet/v1/event-sources?FunctionName=bad%20name"),
      400,
      "InvalidParameterValueException",
      /must be a function name/,
    );
    await expectError(
      await api.unsigned("GET", "/lambdalet/v1/event-sources"),
      403,
      "MissingAuthenticationTokenException",
      /not signed/,
    );
  });
});
