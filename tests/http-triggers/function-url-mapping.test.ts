/** @module The pure parts of function URLs: addresses, text or binary bodies, response mapping, CORS. */
import { describe, expect, test } from "bun:test";
import { isPreflight, preflightResponse, withCors } from "../../lib/http-triggers/cors.ts";
import {
  functionUrlAddresses,
  isTextContent,
  urlRequestTarget,
  urlResponse,
} from "../../lib/http-triggers/mod.ts";
import { requestTime } from "../../lib/http-triggers/url-event.ts";
import { platformError } from "../../lib/runtime-api/mod.ts";

const ID = "abcdefghijklmnopqrstuvwxyz012345";
const json = (value: unknown) => ({
  kind: "success" as const,
  body: new TextEncoder().encode(JSON.stringify(value)),
});

describe("addresses", () => {
  test("a URL has a host form and a path form on the agent's origin", () => {
    expect(functionUrlAddresses(ID, "http://127.0.0.1:9001", "eu-west-1")).toEqual({
      host: `http://${ID}.lambda-url.eu-west-1.localhost:9001/`,
      path: `http://127.0.0.1:9001/url/${ID}/`,
    });
  });

  test("a request names a URL by its host or its /url/<id> path; anything else is the API's", () => {
    expect(urlRequestTarget(new URL(`http://x/a?b`), `${ID}.lambda-url.us-east-1.localhost:9001`)).toEqual({
      urlId: ID,
      rawPath: "/a",
      domainName: `${ID}.lambda-url.us-east-1.localhost`,
    });
    expect(urlRequestTarget(new URL(`http://127.0.0.1:1/url/${ID}/p/q`), "127.0.0.1:1")?.rawPath).toBe(
      "/p/q",
    );
    expect(urlRequestTarget(new URL(`http://127.0.0.1:1/url/${ID}`), undefined)?.rawPath).toBe("/");
    expect(urlRequestTarget(new URL("http://127.0.0.1:1/2015-03-31/functions"), undefined)).toBeNull();
    expect(urlRequestTarget(new URL("http://127.0.0.1:1/url/short/"), undefined)).toBeNull();
  });
});

describe("request bodies", () => {
  test("text types reach the function as text, everything else base64", () => {
    for (
      const type of ["text/plain", "application/json; charset=utf-8", "application/vnd.api+json", "text/xml"]
    ) {
      expect(isTextContent(type)).toBe(true);
    }
    for (const type of [null, "application/octet-stream", "image/png", "application/x-www-form-urlencoded"]) {
      expect(isTextContent(type)).toBe(false);
    }
  });

  test("the request time is in the access-log format", () => {
    expect(requestTime(Date.UTC(2020, 2, 12, 19, 3, 58))).toBe("12/Mar/2020:19:03:58 +0000");
  });
});

describe("responses", () => {
  test("a result without statusCode is the 200 JSON body as it is", async () => {
    const response = urlResponse(json({ message: "hi" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe('{"message":"hi"}');
    expect(await urlResponse(json("Hello")).text()).toBe('"Hello"');
  });

  test("statusCode, headers, cookies and body; a non-string body is JSON; 204 has none", async () => {
    const response = urlResponse(
      json({ statusCode: 201, headers: { "X-A": "b" }, cookies: ["a=1"], body: { x: 1 } }),
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("x-a")).toBe("b");
    expect(response.headers.getSetCookie()).toEqual(["a=1"]);
    expect(await response.text()).toBe('{"x":1}');
    expect(urlResponse(json({ statusCode: 204, body: "ignored" })).body).toBeNull();
  });

  test("a function error or an impossible status is a 502", async () => {
    expect(urlResponse(platformError("Sandbox.Timedout", "late")).status).toBe(502);
    expect(urlResponse(json({ statusCode: 999 })).status).toBe(502);
    expect(await urlResponse(json({ statusCode: "abc" })).json()).toEqual({
      Message: "Internal Server Error",
    });
  });
});

describe("CORS", () => {
  const cors = {
    AllowOrigins: ["https://a.example"],
    AllowMethods: ["GET"],
    AllowCredentials: true,
    MaxAge: 10,
  };
  const preflight = (origin: string) =>
    new Request("http://x/", {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "GET" },
    });

  test("a preflight names what the settings allow, for an allowed origin only", () => {
    expect(isPreflight(preflight("https://a.example"))).toBe(true);
    expect(isPreflight(new Request("http://x/", { method: "OPTIONS" }))).toBe(false);
    const allowed = preflightResponse(cors, preflight("https://a.example"));
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://a.example");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    expect(allowed.headers.get("access-control-max-age")).toBe("10");
    expect(preflightResponse(cors, preflight("https://b.example")).headers.get("access-control-allow-origin"))
      .toBeNull();
  });

  test("with credentials a wildcard echoes the origin; the URL's settings replace the function's", () => {
    const response = withCors(
      new Response("x", { headers: { "access-control-allow-origin": "*" } }),
      { AllowOrigins: ["*"], AllowCredentials: true },
      "https://c.example",
    );
    expect(response.headers.get("access-control-allow-origin")).toBe("https://c.example");
    const untouched = withCors(
      new Response("x", { headers: { "access-control-allow-origin": "*" } }),
      null,
      null,
    );
    expect(untouched.headers.get("access-control-allow-origin")).toBe("*");
  });
});
