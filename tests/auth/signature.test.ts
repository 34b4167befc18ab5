/** @module SigV4 verification on real requests: what passes, and the error each failure answers. */
import { afterAll, describe, expect, test } from "bun:test";
import { getCanonicalHeaders, getCanonicalQuery } from "@smithy/signature-v4";
import { Keyring, presignUrl, signRequest, verifySignature } from "../../lib/auth/mod.ts";
import { canonicalPath, canonicalRequest } from "../../lib/auth/canonical-request.ts";
import type { LambdaError } from "../../lib/errors/mod.ts";
import { openStore } from "../../lib/store/mod.ts";

const store = openStore(":memory:");
const keyring = new Keyring(store.apiKeys);
const admin = keyring.defaultKey();
const credentials = { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secret };
const URL_BASE = "http://127.0.0.1:9001/2015-03-31/functions/hello/invocations";
const options = { keyring, region: "us-east-1" };

afterAll(() => store.close());

async function signed(
  body = '{"name":"Roy"}',
  overrides: { region?: string; date?: Date; secret?: string; url?: string } = {},
): Promise<Request> {
  const url = overrides.url ?? URL_BASE;
  const headers = await signRequest(
    { method: "POST", url, headers: { "content-type": "application/json" }, body },
    { ...credentials, secretAccessKey: overrides.secret ?? credentials.secretAccessKey },
    overrides.region ?? "us-east-1",
    overrides.date,
  );
  return new Request(url, { method: "POST", headers, body });
}

async function failure(request: Request): Promise<{ type: string; status: number; message: string }> {
  try {
    await verifySignature(request, options);
  } catch (error) {
    const lambda = error as LambdaError;
    return { type: lambda.type, status: lambda.status, message: lambda.message };
  }
  throw new Error("the request was accepted");
}

describe("verifySignature()", () => {
  test("accepts a request signed with a stored key and hands back its body and principal", async () => {
    const result = await verifySignature(await signed(), options);
    expect(result?.principal).toEqual({
      accessKeyId: admin.accessKeyId,
      scope: "admin",
      functions: [],
      session: false,
    });
    expect(new TextDecoder().decode(result!.body!)).toBe('{"name":"Roy"}');
  });

  test("returns null for a request that carries no signature", async () => {
    expect(await verifySignature(new Request(URL_BASE, { method: "POST", body: "{}" }), options)).toBeNull();
  });

  test("refuses an unknown key with UnrecognizedClientException", async () => {
    const request = await signed();
    const headers = new Headers(request.headers);
    headers.set(
      "authorization",
      headers.get("authorization")!.replace(admin.accessKeyId, "LKIAAAAAAAAAAAAAAAAA"),
    );
    expect(await failure(new Request(URL_BASE, { method: "POST", headers, body: '{"name":"Roy"}' })))
      .toMatchObject({
        type: "UnrecognizedClientException",
        status: 403,
      });
  });

  test("refuses a wrong secret, a changed body and a changed signed header with InvalidSignatureException", async () => {
    expect((await failure(await signed(undefined, { secret: "not-the-secret" }))).type).toBe(
      "InvalidSignatureException",
    );
    const request = await signed('{"amount":1}');
    expect(
      (await failure(
        new Request(URL_BASE, { method: "POST", headers: request.headers, body: '{"amount":9}' }),
      )).type,
    ).toBe("InvalidSignatureException");
    const headers = new Headers(request.headers);
    headers.set("content-type", "text/plain");
    expect((await failure(new Request(URL_BASE, { method: "POST", headers, body: '{"amount":1}' }))).type)
      .toBe(
        "InvalidSignatureException",
      );
  });

  test("refuses a signature older or newer than 15 minutes", async () => {
    const old = await failure(await signed(undefined, { date: new Date(Date.now() - 16 * 60_000) }));
    expect(old).toMatchObject({ type: "InvalidSignatureException", status: 403 });
    expect(old.message).toContain("Signature expired");
    const future = await failure(await signed(undefined, { date: new Date(Date.now() + 16 * 60_000) }));
    expect(future.message).toContain("not yet current");
    expect(
      await verifySignature(await signed(undefined, { date: new Date(Date.now() - 14 * 60_000) }), options),
    )
      .not.toBeNull();
  });

  test("refuses another region's or service's scope, naming the one to use", async () => {
    const region = await failure(await signed(undefined, { region: "eu-west-1" }));
    expect(region.type).toBe("InvalidSignatureException");
    expect(region.message).toContain("'us-east-1'");
    const request = await signed();
    const headers = new Headers(request.headers);
    headers.set("authorization", headers.get("authorization")!.replace("/lambda/", "/s3/"));
    expect(
      (await failure(new Request(URL_BASE, { method: "POST", headers, body: '{"name":"Roy"}' }))).message,
    )
      .toContain("service 's3'");
  });

  test("answers a malformed Authorization header with IncompleteSignatureException (400)", async () => {
    for (
      const authorization of [
        "Basic dXNlcjpwYXNz",
        "AWS4-HMAC-SHA256 Credential=abc",
        "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=zz",
        "AWS4-HMAC-SHA256",
      ]
    ) {
      const headers = { authorization, "x-amz-date": "20261129T000000Z" };
      expect(await failure(new Request(URL_BASE, { method: "POST", headers, body: "{}" }))).toMatchObject({
        type: "IncompleteSignatureException",
        status: 400,
      });
    }
  });

  test("a presigned URL works until it expires, and not for another path", async () => {
    const url = "http://127.0.0.1:9001/lambdalet/v1/code/abc.zip";
    const presigned = await presignUrl(url, credentials, "us-east-1", 600);
    expect((await verifySignature(new Request(presigned), options))?.principal.scope).toBe("admin");
    const moved = presigned.replace("abc.zip", "abd.zip");
    expect((await failure(new Request(moved))).type).toBe("InvalidSignatureException");
    const stale = new URL(presigned);
    stale.searchParams.set("X-Amz-Date", "20200101T000000Z");
    expect((await failure(new Request(stale.toString()))).type).toBe("InvalidSignatureException");
  });

  test("a worker's session key needs its token, and stops working once closed", async () => {
    const session = keyring.openSession(["target"]);
    const sign = (token?: string) =>
      signRequest(
        { method: "POST", url: URL_BASE, body: "{}" },
        {
          accessKeyId: session.accessKeyId,
          secretAccessKey: session.secretAccessKey,
          ...(token === undefined ? {} : { sessionToken: token }),
        },
        "us-east-1",
      );
    const good = new Request(URL_BASE, {
      method: "POST",
      headers: await sign(session.sessionToken),
      body: "{}",
    });
    expect((await verifySignature(good, options))?.principal).toMatchObject({
      scope: "invoke",
      functions: ["target"],
    });
    const tokenless = new Request(URL_BASE, { method: "POST", headers: await sign(), body: "{}" });
    expect((await failure(tokenless)).type).toBe("UnrecognizedClientException");
    keyring.closeSession(session.accessKeyId);
    const closed = new Request(URL_BASE, {
      method: "POST",
      headers: await sign(session.sessionToken),
      body: "{}",
    });
    expect((await failure(closed)).type).toBe("UnrecognizedClientException");
  });

  test("a rotated key's old secret is refused at once", async () => {
    const key = keyring.create({ scope: "invoke", functions: ["*"] });
    const before = await signRequest({ method: "GET", url: URL_BASE }, {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secret,
    }, "us-east-1");
    expect(await verifySignature(new Request(URL_BASE, { headers: before }), options)).not.toBeNull();
    keyring.rotate(key.accessKeyId);
    expect((await failure(new Request(URL_BASE, { headers: before }))).type).toBe(
      "InvalidSignatureException",
    );
  });
});

describe("canonicalRequest()", () => {
  test("writes header values and the query as the AWS signer does", () => {
    const values = ["plain", "  two  spaces  ", "tab\there", "line\r\nbreak", " one ", "a \t b", ""];
    for (const value of values) {
      const request = {
        method: "POST",
        path: "/2015-03-31/functions/f/invocations",
        query: { b: ["2", "1"], a: "x y", "X-Amz-Signature": "s" },
        headers: { host: "127.0.0.1:9001", "x-odd": value },
        signedHeaders: ["x-odd", "host"],
        payloadHash: "e3b0",
      };
      const http = { protocol: "http:", hostname: "", ...request };
      const canonical = getCanonicalHeaders(http, undefined, new Set(request.signedHeaders));
      const names = Object.keys(canonical).sort();
      const expected = [
        "POST",
        canonicalPath(request.path, true),
        getCanonicalQuery(http),
        names.map((name) => `${name}:${canonical[name]}`).join("\n"),
        "",
        names.join(";"),
        "e3b0",
      ].join("\n");
      expect(canonicalRequest(request, true)).toBe(expected);
      expect(canonicalRequest({ ...request, query: {} }, true)).toBe(
        expected.replace(getCanonicalQuery(http), ""),
      );
    }
  });
});
