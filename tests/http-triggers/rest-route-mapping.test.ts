/** @module The pure parts of API Gateway REST routes: matching precedence, the 1.0 event, the response mapping. */
import { describe, expect, test } from "bun:test";
import type { HttpRoute } from "../../lib/config/mod.ts";
import type { FunctionHttpRoute } from "../../lib/functions/mod.ts";
import { pathBelowPrefix, pickRoute, restEvent, restResponse } from "../../lib/http-triggers/mod.ts";
import { apigatewayProxy } from "../../lib/sample-events/apigateway.ts";
import { platformError } from "../../lib/runtime-api/mod.ts";

const route = (functionName: string, path: string, method = "ANY"): FunctionHttpRoute => ({
  functionName,
  route: { path, method, authType: "NONE" } satisfies HttpRoute,
});

const json = (value: unknown) => ({
  kind: "success" as const,
  body: new TextEncoder().encode(JSON.stringify(value)),
});

describe("pickRoute()", () => {
  const routes = [
    route("proxy", "/{proxy+}"),
    route("item", "/items/{id}", "GET"),
    route("itemAny", "/items/{id}"),
    route("special", "/items/special", "GET"),
    route("sub", "/items/{id}/parts/{part}", "GET"),
    route("files", "/files/{path+}", "GET"),
    route("root", "/", "GET"),
  ];

  test("pickRoute() prefers literal segments over {param} over {proxy+}", () => {
    expect(pickRoute(routes, "GET", "/items/special")?.functionName).toBe("special");
    expect(pickRoute(routes, "GET", "/items/42")?.functionName).toBe("item");
    expect(pickRoute(routes, "GET", "/items/42/parts/7")).toMatchObject({
      functionName: "sub",
      pathParameters: { id: "42", part: "7" },
    });
    expect(pickRoute(routes, "GET", "/files/a/b.txt")).toMatchObject({
      functionName: "files",
      pathParameters: { path: "a/b.txt" },
    });
    expect(pickRoute(routes, "GET", "/elsewhere/x")).toMatchObject({
      functionName: "proxy",
      route: { path: "/{proxy+}" },
      pathParameters: { proxy: "elsewhere/x" },
    });
  });

  test("pickRoute() prefers an exact method over ANY on the same resource, and a resource's ANY over a less specific GET", () => {
    expect(pickRoute(routes, "GET", "/items/42")?.functionName).toBe("item");
    expect(pickRoute(routes, "DELETE", "/items/42")?.functionName).toBe("itemAny");
    expect(
      pickRoute([route("get", "/{proxy+}", "GET"), route("any", "/items/{id}")], "GET", "/items/1")
        ?.functionName,
    ).toBe("any");
  });

  test("pickRoute() falls through to a less specific route when the specific one lacks the method", () => {
    expect(pickRoute(routes, "POST", "/items/special")?.functionName).toBe("itemAny");
    expect(pickRoute(routes, "POST", "/items/42/parts/7")?.functionName).toBe("proxy");
  });

  test("{proxy+} takes one or more segments, never the root; / is its own resource", () => {
    expect(pickRoute(routes, "GET", "/")?.functionName).toBe("root");
    expect(pickRoute(routes, "POST", "/")).toBeNull();
    expect(pickRoute(routes, "GET", "/files")).not.toMatchObject({ functionName: "files" });
    expect(pickRoute([route("p", "/{proxy+}")], "GET", "/a/b/c")?.pathParameters).toEqual({ proxy: "a/b/c" });
  });

  test("path parameters are percent-decoded; a trailing slash is ignored; a route without any has null", () => {
    expect(pickRoute(routes, "GET", "/items/a%20b%2Fc")?.pathParameters).toEqual({ id: "a b/c" });
    expect(pickRoute(routes, "GET", "/items/42/")?.pathParameters).toEqual({ id: "42" });
    expect(pickRoute(routes, "GET", "/items/%E0%A4%A")?.pathParameters).toEqual({ id: "%E0%A4%A" });
    expect(pickRoute(routes, "GET", "/items/special")?.pathParameters).toBeNull();
  });

  test("an empty segment matches no {param}", () => {
    expect(pickRoute([route("i", "/items/{id}/x")], "GET", "/items//x")).toBeNull();
  });
});

describe("pathBelowPrefix()", () => {
  test("pathBelowPrefix() strips the prefix at a segment boundary only", () => {
    expect(pathBelowPrefix("/api/items/42", "/api")).toBe("/items/42");
    expect(pathBelowPrefix("/api", "/api")).toBe("/");
    expect(pathBelowPrefix("/api/", "/api")).toBe("/");
    expect(pathBelowPrefix("/apiary", "/api")).toBeNull();
    expect(pathBelowPrefix("/2015-03-31/functions", "/api")).toBeNull();
  });
});

describe("restEvent()", () => {
  const context = {
    resource: "/items/{id}",
    path: "/items/42",
    pathParameters: { id: "42" },
    apiId: "abcdef0123",
    resourceId: "a1b2c3",
    accountId: "000000000000",
    domainName: "127.0.0.1",
    sourceIp: "192.0.2.1",
    requestId: "req-1",
    accessKey: null,
    now: Date.UTC(2015, 3, 9, 12, 34, 56),
  };

  test("restEvent() has exactly the members of `events generate apigateway proxy`", () => {
    const sample = apigatewayProxy.generate({}, {
      accountId: "000000000000",
      now: new Date(),
      region: "x",
    }) as {
      requestContext: object;
    };
    const event = restEvent(new Request("http://127.0.0.1/api/items/42"), new Uint8Array(), context);
    expect(Object.keys(event).sort()).toEqual(Object.keys(sample).sort());
    const sampleContext = Object.keys(sample.requestContext);
    expect(Object.keys(event.requestContext as object)).toEqual(expect.arrayContaining(sampleContext));
  });

  test("restEvent() gives last values in headers and query, every value in their multi-value twins", () => {
    const request = new Request("http://127.0.0.1/api/items/42?tag=a&tag=b&q=x%20y", {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "test/1", "x-one": "1" },
      body: '{"a":1}',
    });
    const event = restEvent(request, new TextEncoder().encode('{"a":1}'), context);
    expect(event).toMatchObject({
      resource: "/items/{id}",
      path: "/items/42",
      httpMethod: "POST",
      queryStringParameters: { tag: "b", q: "x y" },
      multiValueQueryStringParameters: { tag: ["a", "b"], q: ["x y"] },
      pathParameters: { id: "42" },
      stageVariables: null,
      body: '{"a":1}',
      isBase64Encoded: false,
    });
    expect((event.headers as Record<string, string>)["x-one"]).toBe("1");
    expect((event.multiValueHeaders as Record<string, string[]>)["x-one"]).toEqual(["1"]);
    expect(event.requestContext).toMatchObject({
      accountId: "000000000000",
      apiId: "abcdef0123",
      resourceId: "a1b2c3",
      stage: "local",
      requestId: "req-1",
      requestTime: "09/Apr/2015:12:34:56 +0000",
      requestTimeEpoch: context.now,
      identity: { sourceIp: "192.0.2.1", userAgent: "test/1", accessKey: null, caller: null, user: null },
      path: "/local/items/42",
      resourcePath: "/items/{id}",
      httpMethod: "POST",
      protocol: "HTTP/1.1",
      domainName: "127.0.0.1",
    });
  });

  test("restEvent() has null query members, a null body, and base64 for bytes that are not text", () => {
    const empty = restEvent(new Request("http://127.0.0.1/api/items/42"), new Uint8Array(), context);
    expect(empty).toMatchObject({
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: null,
      isBase64Encoded: false,
    });
    const bytes = new Uint8Array([0, 255, 1, 254]);
    const binary = restEvent(
      new Request("http://127.0.0.1/x", { method: "PUT", headers: { "content-type": "image/png" } }),
      bytes,
      { ...context, accessKey: "LKIAEXAMPLE" },
    );
    expect(binary.body).toBe(Buffer.from(bytes).toString("base64"));
    expect(binary.isBase64Encoded).toBe(true);
    expect((binary.requestContext as { identity: { accessKey: string } }).identity.accessKey).toBe(
      "LKIAEXAMPLE",
    );
  });
});

describe("restResponse()", () => {
  test("restResponse() merges headers and multiValueHeaders, appending the lists' values", async () => {
    const response = restResponse(json({
      statusCode: 201,
      headers: { "x-a": "1", "content-type": "text/plain" },
      multiValueHeaders: { "x-a": ["2", "3"], "set-cookie": ["a=1", "b=2"] },
      body: "made",
    }));
    expect(response.status).toBe(201);
    expect(response.headers.get("x-a")).toBe("1, 2, 3");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toBe("made");
  });

  test("restResponse() decodes an isBase64Encoded body and defaults the content type to JSON", async () => {
    const response = restResponse(json({ statusCode: "200", isBase64Encoded: true, body: "AP8B" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([0, 255, 1]));
    expect(await restResponse(json({ statusCode: 204 })).text()).toBe("");
  });

  test("restResponse() answers 502 Internal server error for a result API Gateway cannot map or a function error", async () => {
    const bad = [
      json("just text"),
      json({ body: "no status" }),
      json({ statusCode: 42 }),
      json({ statusCode: 200, body: { not: "a string" } }),
      json({ statusCode: 200, headers: { "x-a": ["list"] } }),
      json({ statusCode: 200, multiValueHeaders: { "x-a": "not a list" } }),
      { kind: "success" as const, body: new TextEncoder().encode("{not json") },
      platformError("Sandbox.Timedout", "Task timed out after 3.00 seconds"),
    ];
    for (const outcome of bad) {
      const response = restResponse(outcome);
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ message: "Internal server error" });
    }
  });
});
