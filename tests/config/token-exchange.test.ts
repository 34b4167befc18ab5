/** @module The agent config's `tokenExchange`: one source, validated, with errors that never quote a secret. */
import { describe, expect, test } from "bun:test";
import { homedir } from "node:os";
import { join } from "node:path";
import { resolveAgentOptions } from "../../lib/config/mod.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

function refusal(tokenExchange: unknown): string {
  try {
    resolveAgentOptions({ tokenExchange });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("tokenExchange", () => {
  test("is null by default: no function gets AWS credentials", () => {
    expect(resolveAgentOptions({}).tokenExchange).toBeNull();
  });

  test("a key pair, with or without a session token", () => {
    expect(
      resolveAgentOptions({ tokenExchange: { accessKeyId: "AKIAEXAMPLEEXAMPLE01", secretAccessKey: SECRET } })
        .tokenExchange,
    ).toEqual({
      source: "static",
      accessKeyId: "AKIAEXAMPLEEXAMPLE01",
      secretAccessKey: SECRET,
      sessionToken: null,
    });
    expect(
      resolveAgentOptions({
        tokenExchange: { accessKeyId: "ASIAEXAMPLEEXAMPLE01", secretAccessKey: SECRET, sessionToken: "FwoG" },
      }).tokenExchange,
    ).toMatchObject({ sessionToken: "FwoG" });
  });

  test("a profile, in the agent user's ~/.aws/credentials unless a file is named", () => {
    const saved = process.env.AWS_SHARED_CREDENTIALS_FILE;
    delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    try {
      expect(resolveAgentOptions({ tokenExchange: { profile: "edge" } }).tokenExchange).toEqual({
        source: "profile",
        profile: "edge",
        credentialsFile: join(homedir(), ".aws", "credentials"),
      });
    } finally {
      if (saved !== undefined) process.env.AWS_SHARED_CREDENTIALS_FILE = saved;
    }
    expect(
      resolveAgentOptions({ tokenExchange: { profile: "edge", credentialsFile: "/etc/lambdalet/aws" } })
        .tokenExchange,
    ).toMatchObject({ credentialsFile: "/etc/lambdalet/aws" });
  });

  test("AWS IoT's credentials provider, with Greengrass's names", () => {
    const iot = {
      iotCredEndpoint: "c2ab3cd4.credentials.iot.us-east-1.amazonaws.com",
      iotRoleAlias: "GreengrassV2TokenExchangeRoleAlias",
      thingName: "MyGreengrassCore",
      certificateFilePath: "/greengrass/v2/thingCert.crt",
      privateKeyFilePath: "/greengrass/v2/privKey.key",
    };
    expect(resolveAgentOptions({ tokenExchange: iot }).tokenExchange).toEqual({
      source: "iot",
      ...iot,
      rootCaPath: null,
    });
    expect(
      resolveAgentOptions({ tokenExchange: { ...iot, rootCaPath: "/greengrass/v2/rootCA.pem" } })
        .tokenExchange,
    ).toMatchObject({ rootCaPath: "/greengrass/v2/rootCA.pem" });
    expect(refusal({ ...iot, thingName: undefined })).toBe(
      "Cannot start the agent as 'tokenExchange' names the IoT credentials provider but lacks 'thingName'",
    );
    expect(refusal({ ...iot, iotCredEndpoint: "https://x.example.com/" })).toContain(
      "'tokenExchange.iotCredEndpoint' must be a host name",
    );
  });

  test("no source, or two, is refused with the choices", () => {
    expect(refusal({})).toContain("'tokenExchange' must name exactly one source");
    expect(refusal({})).toContain("found none");
    expect(refusal({ profile: "edge", accessKeyId: "AKIAEXAMPLEEXAMPLE01", secretAccessKey: SECRET }))
      .toContain(
        "found a key pair and a profile",
      );
    expect(refusal({ accessKeyId: "AKIAEXAMPLEEXAMPLE01" })).toBe(
      "Cannot start the agent as 'tokenExchange' needs both 'accessKeyId' and 'secretAccessKey'",
    );
  });

  test("errors name the bad member but never quote a secret, an unknown member or the whole object", () => {
    const shortSecret = refusal({ accessKeyId: "AKIAEXAMPLEEXAMPLE01", secretAccessKey: "tooShort" });
    expect(shortSecret).toContain("'tokenExchange.secretAccessKey' must be a secret");
    expect(shortSecret).not.toContain("tooShort");
    const typo = refusal({ accessKeyId: "AKIAEXAMPLEEXAMPLE01", secret_access_key: SECRET });
    expect(typo).toContain("secret_access_key");
    expect(typo).not.toContain(SECRET);
    const notObject = refusal(SECRET);
    expect(notObject).not.toContain(SECRET);
    expect(refusal({ accessKeyId: "akia-lower" })).toContain('current value is "akia-lower"');
  });
});
