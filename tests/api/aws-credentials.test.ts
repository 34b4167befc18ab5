/** @module The container credentials door: a worker's token, and nothing else, buys the agent's AWS credentials. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AwsCredentialService, staticSource } from "../../lib/aws-credentials/mod.ts";
import { expectError, type InMemoryApi, openInMemoryApi } from "../helpers/in-memory-api.ts";

const PATH = "/lambdalet/v1/credentials/aws";
const KEY_PAIR = {
  source: "static" as const,
  accessKeyId: "AKIAEXAMPLEEXAMPLE01",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: null,
};

describe("GET /lambdalet/v1/credentials/aws", () => {
  let api: InMemoryApi;
  let service: AwsCredentialService;

  beforeAll(async () => {
    service = new AwsCredentialService(staticSource(KEY_PAIR));
    api = await openInMemoryApi({ awsCredentials: service });
  });

  afterAll(() => api?.close());

  test("a worker's token gets the container credentials JSON the AWS SDKs read", async () => {
    const grant = service.grant("uploader", true, `http://127.0.0.1:9001${PATH}`)!;
    expect(grant.env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBe(`http://127.0.0.1:9001${PATH}`);
    const token = grant.env.AWS_CONTAINER_AUTHORIZATION_TOKEN!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const response = await api.unsigned("GET", PATH, undefined, { authorization: token });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json() as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(["AccessKeyId", "Expiration", "SecretAccessKey", "Token"]);
    expect(body).toMatchObject({
      AccessKeyId: KEY_PAIR.accessKeyId,
      SecretAccessKey: KEY_PAIR.secretAccessKey,
      Token: "",
    });
    expect(body.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(body.Expiration!)).toBeGreaterThan(Date.now() + 50 * 60_000);
    grant.revoke();
  });

  test("no token is 401, a forged token 403, a revoked one 403", async () => {
    const absent = await api.unsigned("GET", PATH);
    expect(absent.status).toBe(401);
    expect(await absent.json()).toMatchObject({ Code: "MissingAuthorization" });
    const forged = await api.unsigned("GET", PATH, undefined, { authorization: "A".repeat(43) });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ Code: "AccessDenied" });
    const grant = service.grant("uploader", true, PATH)!;
    const token = grant.env.AWS_CONTAINER_AUTHORIZATION_TOKEN!;
    expect((await api.unsigned("GET", PATH, undefined, { authorization: token })).status).toBe(200);
    grant.revoke();
    const revoked = await api.unsigned("GET", PATH, undefined, { authorization: token });
    expect(revoked.status).toBe(403);
    expect(await revoked.text()).not.toContain(KEY_PAIR.secretAccessKey);
  });

  test("the admin key's signature buys nothing here: only a worker's token does", async () => {
    const signed = await api.request("GET", PATH);
    expect(signed.status).toBe(403);
    expect(await signed.text()).not.toContain(KEY_PAIR.secretAccessKey);
  });

  test("other methods on the path go through the signature check, where a token is no signature", async () => {
    const grant = service.grant("uploader", true, PATH)!;
    try {
      const posted = await api.unsigned("POST", PATH, "{}", {
        authorization: grant.env.AWS_CONTAINER_AUTHORIZATION_TOKEN!,
      });
      expect(posted.status).toBe(400);
      expect(posted.headers.get("x-amzn-errortype")).toBe("IncompleteSignatureException");
      const unsigned = await api.unsigned("DELETE", PATH);
      expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    } finally {
      grant.revoke();
    }
  });

  test("a function that does not ask, or an agent with no source, gives no token", () => {
    expect(service.grant("plain", false, PATH)).toBeNull();
    const unconfigured: string[] = [];
    const none = new AwsCredentialService(null, { onUnconfigured: (name) => unconfigured.push(name) });
    expect(none.grant("uploader", true, PATH)).toBeNull();
    expect(none.grant("uploader", true, PATH)).toBeNull();
    expect(unconfigured).toEqual(["uploader"]);
    expect(service.liveTokens).toBe(0);
  });

  test("Edge.awsCredentials is false unless set, and must be a boolean", async () => {
    const plain = await api.createFunction("plain-fn");
    expect((plain.Edge as Record<string, unknown>).awsCredentials).toBe(false);
    const allowed = await api.createFunction("uploader-fn", { Edge: { awsCredentials: true } });
    expect((allowed.Edge as Record<string, unknown>).awsCredentials).toBe(true);
    await expectError(
      await api.request("PUT", "/2015-03-31/functions/plain-fn/configuration", {
        Edge: { awsCredentials: "yes" },
      }),
      400,
      "InvalidParameterValueException",
      /awsCredentials/,
    );
  });

  test("an agent without the service refuses every token", async () => {
    const bare = await openInMemoryApi();
    try {
      const response = await bare.unsigned("GET", PATH, undefined, { authorization: "anything" });
      expect(response.status).toBe(403);
    } finally {
      bare.close();
    }
  });
});
