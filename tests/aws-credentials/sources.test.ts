/** @module Credential sources: a key pair, a shared-credentials profile, AWS IoT's credentials provider (a stand-in). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CredentialSourceError,
  iotCredentialsSource,
  profileSource,
  staticSource,
} from "../../lib/aws-credentials/mod.ts";
import type { IotTokenExchange } from "../../lib/config/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";
import { type StandInProvider, startStandInProvider } from "../helpers/iot-credentials-provider.ts";
import { makeTestCertificates, type TestCertificates } from "../helpers/test-certificates.ts";

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialSourceError);
    return (error as Error).message;
  }
  throw new Error("expected a failure");
}

describe("staticSource()", () => {
  test("gives the configured key pair, without expiry, and names only the key id", async () => {
    const source = staticSource({
      source: "static",
      accessKeyId: "AKIAEXAMPLEEXAMPLE01",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      sessionToken: null,
    });
    expect(await source.fetch()).toEqual({
      accessKeyId: "AKIAEXAMPLEEXAMPLE01",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      sessionToken: null,
      expiration: null,
    });
    expect(source.description).toContain("AKIAEXAMPLEEXAMPLE01");
    expect(source.description).not.toContain("wJalr");
  });
});

describe("profileSource()", () => {
  const dir = tempDir();
  const file = join(dir, "credentials");

  test("reads the profile's keys, and reads the file again at each fetch", async () => {
    writeFileSync(
      file,
      "[default]\naws_access_key_id = AKIADEFAULT000000000\naws_secret_access_key = d\n\n[edge]\naws_access_key_id = AKIAEDGE000000000001\naws_secret_access_key = s1\naws_session_token = t1\n",
    );
    const source = profileSource({ source: "profile", profile: "edge", credentialsFile: file });
    expect(await source.fetch()).toEqual({
      accessKeyId: "AKIAEDGE000000000001",
      secretAccessKey: "s1",
      sessionToken: "t1",
      expiration: null,
    });
    writeFileSync(file, "[edge]\naws_access_key_id = AKIAEDGE000000000002\naws_secret_access_key = s2\n");
    expect(await source.fetch()).toMatchObject({ accessKeyId: "AKIAEDGE000000000002", sessionToken: null });
  });

  test("a missing file, profile or key is a clear error that quotes no secret", async () => {
    const missing = profileSource({ source: "profile", profile: "edge", credentialsFile: join(dir, "nope") });
    expect(await failure(missing.fetch())).toContain("ENOENT");
    writeFileSync(file, "[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = hush\n");
    const source = profileSource({ source: "profile", profile: "edge", credentialsFile: file });
    expect(await failure(source.fetch())).toContain("no such profile");
    writeFileSync(file, "[edge]\naws_secret_access_key = hush\n");
    const message = await failure(source.fetch());
    expect(message).toContain("aws_access_key_id and aws_secret_access_key");
    expect(message).not.toContain("hush");
  });
});

describe("iotCredentialsSource() against a stand-in provider demanding a client certificate", () => {
  let certs: TestCertificates;
  let provider: StandInProvider;
  let options: IotTokenExchange;

  beforeAll(() => {
    certs = makeTestCertificates();
    provider = startStandInProvider(certs, "EdgeRoleAlias");
    options = {
      source: "iot",
      iotCredEndpoint: provider.endpoint,
      iotRoleAlias: "EdgeRoleAlias",
      thingName: "test-thing",
      certificateFilePath: certs.clientCert,
      privateKeyFilePath: certs.clientKey,
      rootCaPath: certs.caCert,
    };
  });

  afterAll(async () => {
    await provider?.stop();
  });

  test("GETs the role alias's credentials with the thing name and the device certificate", async () => {
    const before = Date.now();
    const credentials = await iotCredentialsSource(options).fetch();
    expect(credentials).toMatchObject({
      accessKeyId: "ASIASTANDINPROVIDER1",
      secretAccessKey: "standInSecretAccessKey0000000000000000000",
      sessionToken: "standInSessionToken",
    });
    expect(credentials.expiration!.getTime()).toBeGreaterThanOrEqual(before + 3_599_000);
    expect(provider.requests.at(-1)).toEqual({
      path: "/role-aliases/EdgeRoleAlias/credentials",
      thingName: "test-thing",
    });
  });

  test("without a client certificate, or with one not made for clients, the TLS handshake is refused", async () => {
    const bare = fetch(`https://${provider.endpoint}/role-aliases/EdgeRoleAlias/credentials`, {
      headers: { "x-amzn-iot-thingname": "test-thing" },
      tls: { ca: await Bun.file(certs.caCert).text() },
    });
    await expect(bare).rejects.toThrow();
    // the server's own certificate: signed by the CA, but for serverAuth only
    const message = await failure(
      iotCredentialsSource({
        ...options,
        certificateFilePath: certs.serverCert,
        privateKeyFilePath: certs.serverKey,
      })
        .fetch(),
    );
    expect(message).toContain("Cannot reach the IoT credentials provider");
  });

  test("an unknown role alias quotes the provider's error", async () => {
    const message = await failure(iotCredentialsSource({ ...options, iotRoleAlias: "Other" }).fetch());
    expect(message).toContain("answered 404");
    expect(message).toContain("Role alias does not exist");
  });

  test("a provider the root CA does not vouch for is refused", async () => {
    const message = await failure(iotCredentialsSource({ ...options, rootCaPath: null }).fetch());
    expect(message).toContain("Cannot reach");
  });

  test("an unreadable certificate file is named", async () => {
    const message = await failure(
      iotCredentialsSource({ ...options, certificateFilePath: join(certs.dir, "absent.pem") }).fetch(),
    );
    expect(message).toContain("device certificate");
    expect(message).toContain("ENOENT");
  });

  test("an answer without usable credentials is refused without quoting it", async () => {
    const answer = (body: unknown) => () => Promise.resolve(Response.json(body));
    const broken = iotCredentialsSource(options, {
      fetch: answer({
        credentials: { accessKeyId: "ASIA1", secretAccessKey: "leaked", sessionToken: "t" },
      }) as unknown as typeof fetch,
    });
    const message = await failure(broken.fetch());
    expect(message).toContain("'credentials.expiration'");
    expect(message).not.toContain("leaked");
    const badDate = iotCredentialsSource(options, {
      fetch: answer({
        credentials: {
          accessKeyId: "ASIA1",
          secretAccessKey: "leaked",
          sessionToken: "t",
          expiration: "soon",
        },
      }) as unknown as typeof fetch,
    });
    expect(await failure(badDate.fetch())).toContain("must be a date");
  });
});
