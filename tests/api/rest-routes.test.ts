/** @module API Gateway REST routes (`Edge.http`) under `/api` on the API port, called in memory. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ClientCredentials } from "../../lib/auth/mod.ts";
import { createBody, HANDLERS, handlerZip } from "../helpers/functions.ts";
import {
  base64,
  errorOutcome,
  expectError,
  type InMemoryApi,
  openInMemoryApi,
  successOutcome,
} from "../helpers/in-memory-api.ts";

interface RestEvent {
  resource: string;
  path: string;
  httpMethod: string;
  pathParameters: Record<string, string> | null;
  queryStringParameters: Record<string, string> | null;
  requestContext: { identity: { accessKey: string | null }; resourcePath: string; stage: string };
}

/** What the double's function answers: which function ran, and the event it was given. */
interface Answer {
  functionName: string;
  event: RestEvent;
}

const http = (...routes: Record<string, string>[]) => ({ Edge: { http: routes } });

let api: InMemoryApi;
let itemsKey: ClientCredentials;
let otherKey: ClientCredentials;

async function invokeKey(functions: string[]): Promise<ClientCredentials> {
  const created = await api.json<{ AccessKeyId: string; SecretAccessKey: string }>(
    "POST",
    "/lambdalet/v1/keys",
    {
      Scope: "invoke",
      Functions: functions,
    },
  );
  expect(created.status).toBe(201);
  return { accessKeyId: created.body.AccessKeyId, secretAccessKey: created.body.SecretAccessKey };
}

async function answerOf(response: Response): Promise<Answer> {
  expect(response.status).toBe(200);
  return await response.json() as Answer;
}

beforeAll(async () => {
  api = await openInMemoryApi();
  // the double answers a proxy result naming the function it ran and the event it was given
  api.runner.answer = (target, request) => ({
    outcome: successOutcome({
      statusCode: 200,
      multiValueHeaders: { "x-function": [target.config.functionName] },
      body: JSON.stringify({
        functionName: target.config.functionName,
        event: JSON.parse(new TextDecoder().decode(request.payload)),
      }),
    }),
    log: "",
  });
  await api.createFunction("items", http({ path: "/items/{id}", method: "GET" }));
  await api.createFunction(
    "site",
    http({ path: "/{proxy+}", method: "ANY", authType: "NONE" }, {
      path: "/open/{id}",
      method: "GET",
      authType: "NONE",
    }),
  );
  itemsKey = await invokeKey(["items"]);
  otherKey = await invokeKey(["site"]);
});

afterAll(() => api.close());

describe("routing", () => {
  test("a v1 route with {proxy+} serves every path below the prefix that no more specific route takes", async () => {
    const answer = await answerOf(await api.unsigned("POST", "/api/a/b%20c?x=1", "hello"));
    expect(answer.functionName).toBe("site");
    expect(answer.event).toMatchObject({
      resource: "/{proxy+}",
      path: "/a/b%20c",
      httpMethod: "POST",
      pathParameters: { proxy: "a/b c" },
      queryStringParameters: { x: "1" },
      requestContext: { resourcePath: "/{proxy+}", stage: "local" },
    });
  });

  test("a literal-and-parameter route beats {proxy+} for its method; other methods fall to {proxy+}", async () => {
    const get = await answerOf(await api.request("GET", "/api/items/42"));
    expect(get.functionName).toBe("items");
    expect(get.event).toMatchObject({
      resource: "/items/{id}",
      path: "/items/42",
      pathParameters: { id: "42" },
    });
    const del = await answerOf(await api.unsigned("DELETE", "/api/items/42"));
    expect(del.functionName).toBe("site");
  });

  test("the response carries the function's multiValueHeaders and the request id", async () => {
    const response = await api.unsigned("GET", "/api/open/1");
    expect(response.headers.get("x-function")).toBe("site");
    expect(response.headers.get("x-amzn-RequestId")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("a path no route serves is 403 Missing Authentication Token, as API Gateway answers", async () => {
    const response = await api.unsigned("GET", "/api");
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: "Missing Authentication Token" });
    expect(response.headers.get("x-amzn-ErrorType")).toBe("MissingAuthenticationTokenException");
  });

  test("the API's own paths stay the API's", async () => {
    expect((await api.request("GET", "/2015-03-31/functions/items")).status).toBe(200);
    await expectError(
      await api.unsigned("GET", "/2015-03-31/functions/items"),
      403,
      "MissingAuthenticationTokenException",
      /./,
    );
  });

  test("a function error is 502 Internal server error; a result that is not a proxy result too", async () => {
    const saved = api.runner.answer;
    api.runner.answer = () => ({ outcome: successOutcome("plain text"), log: "" });
    try {
      const response = await api.unsigned("GET", "/api/open/1");
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ message: "Internal server error" });
      api.runner.answer = () => ({ outcome: errorOutcome("Error", "boom"), log: "" });
      const failed = await api.unsigned("GET", "/api/open/1");
      expect(failed.status).toBe(502);
      expect(await failed.json()).toEqual({ message: "Internal server error" });
    } finally {
      api.runner.answer = saved;
    }
  });
});

describe("auth", () => {
  test("an AWS_IAM route (the default) refuses an unsigned request: 403 Forbidden, and runs nothing", async () => {
    const before = api.runner.invocations.length;
    const response = await api.unsigned("GET", "/api/items/42");
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: "Forbidden" });
    expect(api.runner.invocations.length).toBe(before);
  });

  test("an invoke key for another function is refused on an AWS_IAM route; one naming its function is let in", async () => {
    const refused = await api.request("GET", "/api/items/42", undefined, {}, otherKey);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: "Forbidden" });
    const allowed = await answerOf(await api.request("GET", "/api/items/42", undefined, {}, itemsKey));
    expect(allowed.event.requestContext.identity.accessKey).toBe(itemsKey.accessKeyId);
  });

  test("a wrongly signed request is refused", async () => {
    const wrong = { ...itemsKey, secretAccessKey: "not-the-secret-not-the-secret-not-the-secret" };
    expect((await api.request("GET", "/api/items/42", undefined, {}, wrong)).status).toBe(403);
  });

  test("a route's key gives nothing else: the API refuses it beyond Invoke of its function", async () => {
    expect((await api.request("GET", "/2015-03-31/functions/items", undefined, {}, itemsKey)).status).toBe(
      403,
    );
  });

  test("a NONE route is open to anyone; its event names no access key", async () => {
    const answer = await answerOf(await api.unsigned("GET", "/api/open/7"));
    expect(answer.event.requestContext.identity.accessKey).toBeNull();
    expect(answer.event.pathParameters).toEqual({ id: "7" });
  });
});

describe("conflicts and changes", () => {
  test("CreateFunction claiming another function's method and path is 409 naming it", async () => {
    await expectError(
      await api.request(
        "POST",
        "/2015-03-31/functions",
        createBody("thief", HANDLERS.greeting, http({ path: "/items/{key}", method: "get" })),
      ),
      409,
      "ResourceConflictException",
      /GET \/items\/\{key\} is already served by the function items/,
    );
    expect((await api.request("GET", "/2015-03-31/functions/thief")).status).toBe(404);
  });

  test("UpdateFunctionConfiguration claiming another function's route is 409; the same path with another method is not", async () => {
    await api.createFunction("later");
    await expectError(
      await api.request(
        "PUT",
        "/2015-03-31/functions/later/configuration",
        http({ path: "/{any+}", method: "ANY" }),
      ),
      409,
      "ResourceConflictException",
      /served by the function site/,
    );
    const posted = await api.request(
      "PUT",
      "/2015-03-31/functions/later/configuration",
      http({ path: "/items/{id}", method: "POST", authType: "NONE" }),
    );
    expect(posted.status).toBe(200);
    expect((await answerOf(await api.unsigned("POST", "/api/items/9"))).functionName).toBe("later");
  });

  test("a route a function gives up stops answering at once", async () => {
    expect(
      (await api.request("PUT", "/2015-03-31/functions/later/configuration", { Edge: { http: [] } })).status,
    ).toBe(200);
    expect((await answerOf(await api.unsigned("POST", "/api/items/9"))).functionName).toBe("site");
  });

  test("one function naming the same route twice is refused", async () => {
    await expectError(
      await api.request(
        "PUT",
        "/2015-03-31/functions/later/configuration",
        http({ path: "/x/{a}", method: "GET" }, { path: "/x/{b}", method: "GET" }),
      ),
      400,
      "InvalidParameterValueException",
      /Edge.http\[1\]/,
    );
  });

  test("a deployment is checked against the state it writes: a route may move between the functions it names", async () => {
    const fn = (name: string, routes: Record<string, string>[]) => ({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Code: { ZipFile: base64(handlerZip(HANDLERS.greeting)) },
      Edge: { http: routes },
    });
    const first = await api.json<{ Status: string }>("POST", "/lambdalet/v1/deployments", {
      functions: [fn("dep-a", [{ path: "/dep", method: "GET" }]), fn("dep-b", [])],
    });
    expect(first.body.Status).toBe("COMPLETED");
    const moved = await api.json<{ Status: string }>("POST", "/lambdalet/v1/deployments", {
      functions: [fn("dep-a", []), fn("dep-b", [{ path: "/dep", method: "GET" }])],
    });
    expect(moved.body.Status).toBe("COMPLETED");
    expect((await answerOf(await api.request("GET", "/api/dep"))).functionName).toBe("dep-b");
    await expectError(
      await api.request("POST", "/lambdalet/v1/deployments", {
        functions: [fn("dep-b", [{ path: "/items/{n}", method: "GET" }])],
      }),
      409,
      "ResourceConflictException",
      /served by the function items/,
    );
  });
});
