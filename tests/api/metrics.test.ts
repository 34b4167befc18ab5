/** @module Who may read `GET /metrics`: unsigned from a loopback peer, admin and metrics keys; nobody else. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ClientCredentials, signRequest } from "../../lib/auth/mod.ts";
import { AgentMetrics } from "../../lib/metrics/mod.ts";
import { type InMemoryApi, openInMemoryApi, REGION } from "../helpers/in-memory-api.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";
import { parsePrometheusText } from "../helpers/prometheus-text.ts";

/** The environment `lib/agent.ts` gives the app: a server that knows each request's TCP peer. */
function peer(address: string) {
  return {
    server: { requestIP: () => ({ address, family: address.includes(":") ? "IPv6" : "IPv4", port: 40000 }) },
  };
}

describe("GET /metrics", () => {
  let api: InMemoryApi;
  let metricsKey: ClientCredentials;
  let invokeKey: ClientCredentials;

  const get = async (address: string | null, credentials?: ClientCredentials, path = "/metrics") => {
    const url = `http://localhost${path}`;
    const headers = credentials
      ? await signRequest({ method: "GET", url, headers: {} }, credentials, REGION)
      : { "X-Forwarded-For": "127.0.0.1" }; // a header never makes a peer local
    return await api.app.request(
      url,
      { method: "GET", headers },
      address === null ? undefined : peer(address),
    );
  };

  beforeAll(async () => {
    const metrics = new AgentMetrics({
      scheduler: { status: () => api.runner.status() },
      store: {
        events: {
          backlog: () => api.store.events.backlog(),
          deadLetterCounts: () => api.store.events.deadLetterCounts(),
        },
        functions: { exists: (name) => api.store.functions.exists(name) },
      },
    }, { processMetrics: false });
    api = await openInMemoryApi({ metrics });
    const created = await api.json<{ AccessKeyId: string; SecretAccessKey: string }>(
      "POST",
      "/lambdalet/v1/keys",
      {
        Scope: "metrics",
      },
    );
    expect(created.status).toBe(201);
    metricsKey = { accessKeyId: created.body.AccessKeyId, secretAccessKey: created.body.SecretAccessKey };
    const invoker = await api.json<{ AccessKeyId: string; SecretAccessKey: string }>(
      "POST",
      "/lambdalet/v1/keys",
      {
        Scope: "invoke",
        Functions: ["*"],
      },
    );
    invokeKey = { accessKeyId: invoker.body.AccessKeyId, secretAccessKey: invoker.body.SecretAccessKey };
  });

  afterAll(() => api.close());

  describe("unsigned", () => {
    test("is served to a loopback peer, in the Prometheus text format", async () => {
      for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
        const response = await get(address);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
        expect(parsePrometheusText(await response.text()).get("lambdalet_invocations_total")?.type).toBe(
          "counter",
        );
      }
    });

    test("is refused to any other peer, whatever X-Forwarded-For says", async () => {
      for (const address of ["192.0.2.10", "::ffff:192.0.2.10", "fe80::1", "10.127.0.1"]) {
        await expectLambdaError(await get(address), 403, "MissingAuthenticationTokenException");
      }
    });

    test("is refused when the app cannot tell the peer (called in process)", async () => {
      await expectLambdaError(await get(null), 403, "MissingAuthenticationTokenException");
    });
  });

  describe("signed", () => {
    test("a metrics key reads it from any peer", async () => {
      expect((await get("192.0.2.10", metricsKey)).status).toBe(200);
    });

    test("an admin key reads it from any peer", async () => {
      const admin = api.savedDefaultKey();
      expect(
        (await get("192.0.2.10", { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secret })).status,
      )
        .toBe(200);
    });

    test("an invoke key is refused, even from loopback", async () => {
      await expectLambdaError(await get("127.0.0.1", invokeKey), 403, "AccessDeniedException");
    });

    test("a metrics key may do nothing else: list, invoke, publish, keys", async () => {
      await expectLambdaError(
        await get("127.0.0.1", metricsKey, "/2015-03-31/functions"),
        403,
        "AccessDeniedException",
      );
      await expectLambdaError(await get("127.0.0.1", metricsKey, "/status"), 403, "AccessDeniedException");
      await expectLambdaError(
        await api.request("POST", "/2015-03-31/functions/any/invocations", "{}", {}, metricsKey),
        403,
        "AccessDeniedException",
      );
      await expectLambdaError(
        await api.request("POST", "/topics/sensors/t1", "{}", {}, metricsKey),
        403,
        "AccessDeniedException",
      );
      await expectLambdaError(
        await api.request("POST", "/lambdalet/v1/keys", { Scope: "admin" }, {}, metricsKey),
        403,
        "AccessDeniedException",
      );
    });
  });

  test("CreateKey makes metrics keys without Functions only", async () => {
    const refused = await api.request("POST", "/lambdalet/v1/keys", { Scope: "metrics", Functions: ["*"] });
    await expectLambdaError(refused, 400, "InvalidParameterValueException");
    const listed = await api.json<{ Keys: { AccessKeyId: string; Scope: string; Functions: string[] }[] }>(
      "GET",
      "/lambdalet/v1/keys",
    );
    expect(listed.body.Keys.find((key) => key.AccessKeyId === metricsKey.accessKeyId)).toMatchObject({
      Scope: "metrics",
      Functions: [],
    });
  });
});
