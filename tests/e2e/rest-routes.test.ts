/** @module API Gateway REST routes (`Edge.http`) on a running agent: nodejs functions behind `/api` and a second port. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch, registerAgent } from "../helpers/api-client.ts";
import { createBody, createFunction } from "../helpers/functions.ts";

/** Answers with the event it was given (headers and cookies on several lines), or the bytes it was sent. */
const SITE = `
exports.handler = async (event) => {
  if (event.isBase64Encoded) {
    return {
      statusCode: 200,
      headers: { "content-type": "application/octet-stream" },
      isBase64Encoded: true,
      body: event.body,
    };
  }
  return {
    statusCode: 200,
    headers: { "content-type": "application/json", "x-single": "one" },
    multiValueHeaders: { "set-cookie": ["a=1; Path=/", "b=2"], "x-multi": ["x", "y"] },
    body: JSON.stringify(event),
  };
};`;

/** Answers which item was asked for, and by which key. */
const ITEMS = `
exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ id: event.pathParameters.id, accessKey: event.requestContext.identity.accessKey }),
});`;

interface RestEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: null;
  requestContext: {
    identity: { sourceIp: string; userAgent: string; accessKey: string | null };
    path: string;
    resourcePath: string;
    httpMethod: string;
    requestTimeEpoch: number;
  };
  body: string | null;
  isBase64Encoded: boolean;
}

describe("API Gateway REST routes", () => {
  let agent: AgentProcess;
  let routesUrl: string;

  beforeAll(async () => {
    agent = await startAgentProcess({ flags: ["--http-routes-port", "0"] });
    const deadline = Date.now() + 5_000;
    while (!/API Gateway routes on (\S+)/.test(agent.output()) && Date.now() < deadline) await Bun.sleep(20);
    routesUrl = /API Gateway routes on (\S+)/.exec(agent.output())![1]!;
    registerAgent(routesUrl, agent.dataDir); // requests signed with the agent's admin key there too
    const site = createBody("site", SITE, {
      Edge: { http: [{ path: "/{proxy+}", method: "ANY", authType: "NONE" }] },
    });
    const items = createBody("items", ITEMS, { Edge: { http: [{ path: "/items/{id}", method: "GET" }] } });
    for (const body of [site, items]) expect((await createFunction(agent.url, body)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
  });

  test("a v1 route with {proxy+}: the REST proxy event, multi-value query strings, multiValueHeaders back", async () => {
    const response = await fetch(`${agent.url}/api/shop/cart?tag=a&tag=b&q=x%20y`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "lambdalet-test" },
      body: '{"hello":"world"}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-single")).toBe("one");
    expect(response.headers.get("x-multi")).toBe("x, y");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2"]);
    const event = await response.json() as RestEvent;
    expect(event).toMatchObject({
      resource: "/{proxy+}",
      path: "/shop/cart",
      httpMethod: "POST",
      queryStringParameters: { tag: "b", q: "x y" },
      multiValueQueryStringParameters: { tag: ["a", "b"], q: ["x y"] },
      pathParameters: { proxy: "shop/cart" },
      stageVariables: null,
      body: '{"hello":"world"}',
      isBase64Encoded: false,
    });
    expect(event.headers["content-type"]).toBe("application/json");
    expect(event.multiValueHeaders["user-agent"]).toEqual(["lambdalet-test"]);
    expect(event.requestContext).toMatchObject({
      identity: { sourceIp: "127.0.0.1", userAgent: "lambdalet-test", accessKey: null },
      path: "/local/shop/cart",
      resourcePath: "/{proxy+}",
      httpMethod: "POST",
    });
    expect(Math.abs(event.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(60_000);
  });

  test("/items/{id} GET is AWS_IAM by default: unsigned is 403 Forbidden, the admin key's request runs", async () => {
    const unsigned = await fetch(`${agent.url}/api/items/42`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: "Forbidden" });
    const signed = await apiFetch(`${agent.url}/api/items/42`);
    expect(signed.status).toBe(200);
    expect((await signed.json() as { id: string; accessKey: string }).id).toBe("42");
    const posted = await fetch(`${agent.url}/api/items/42`, { method: "POST" });
    expect(((await posted.json()) as RestEvent).resource).toBe("/{proxy+}");
  });

  test("a binary body reaches the function base64-encoded and comes back byte for byte", async () => {
    const bytes = new Uint8Array(4096).map((_, index) => (index * 37) % 256);
    const response = await fetch(`${agent.url}/api/upload`, {
      method: "PUT",
      body: bytes,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
  });

  test("the second port serves the routes at its root, and nothing of the API", async () => {
    const event = await (await fetch(`${routesUrl}/shop?x=1`)).json() as RestEvent;
    expect(event).toMatchObject({ path: "/shop", pathParameters: { proxy: "shop" } });
    expect((await fetch(`${routesUrl}/items/7`)).status).toBe(403);
    const signed = await apiFetch(`${routesUrl}/items/7`);
    expect(signed.status).toBe(200);
    expect((await signed.json() as { id: string }).id).toBe("7");
    const api = await apiFetch(`${routesUrl}/2015-03-31/functions`);
    expect((await api.json() as RestEvent).resource).toBe("/{proxy+}"); // a route path like any other
    const root = await apiFetch(`${routesUrl}/`);
    expect(root.status).toBe(403);
    expect(await root.json()).toEqual({ message: "Missing Authentication Token" });
  });
});
