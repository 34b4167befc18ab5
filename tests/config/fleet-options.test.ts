/** @module The agent config's `fleet`: defaults, one way to authenticate, public keys, and messages without secrets. */
import { describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveAgentOptions } from "../../lib/config/mod.ts";
import { keyIdOf } from "../../lib/fleet/envelope.ts";
import { tempDir } from "../helpers/agent-process.ts";

const SECRET = "s3cr3t-Pa55word-never-shown";
const base = { url: "nats://hub.example:4222", device: "pi-07", groups: ["plant-a", "cameras"] };

function refusal(fleet: unknown): string {
  try {
    resolveAgentOptions({ fleet });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("the fleet agent option", () => {
  test("is null by default: the agent joins no fleet", () => {
    expect(resolveAgentOptions({}).fleet).toBeNull();
  });

  test("takes defaults: no credentials, no TLS, no keys, a 30 s heartbeat, remote invokes answered", () => {
    expect(resolveAgentOptions({ fleet: base }).fleet).toEqual({
      servers: ["nats://hub.example:4222"],
      device: "pi-07",
      groups: ["plant-a", "cameras"],
      credentials: null,
      tls: null,
      publicKeys: [],
      heartbeatSeconds: 30,
      invoke: true,
    });
    expect(
      resolveAgentOptions({
        fleet: { ...base, url: ["tls://a:4222", "tls://b:4222"], heartbeatSeconds: 5, invoke: false },
      }).fleet,
    ).toMatchObject({ servers: ["tls://a:4222", "tls://b:4222"], heartbeatSeconds: 5, invoke: false });
  });

  test("names a bad url, device, group list or heartbeat", () => {
    expect(refusal({ ...base, url: "http://hub" })).toContain(
      "'fleet.url' must be nats://host:port or tls://host:port",
    );
    expect(refusal({ ...base, device: "pi.07" })).toBe(
      `Cannot start the agent as 'fleet.device' must be 1-64 letters, digits, '_' or '-': current value is "pi.07"`,
    );
    expect(refusal({ ...base, groups: [] })).toContain("'fleet.groups' must list at least one group");
    expect(refusal({ ...base, groups: ["a", "a"] })).toContain("'fleet.groups' must not list a group twice");
    expect(refusal({ ...base, groups: ["a", "b*"] })).toContain("'fleet.groups.1' must be 1-64 letters");
    expect(refusal({ ...base, heartbeatSeconds: 1 })).toContain("'fleet.heartbeatSeconds' must be ≥ 5");
    expect(refusal({ ...base, heartbeatSeconds: 7200 })).toContain("'fleet.heartbeatSeconds' must be ≤ 3600");
    expect(refusal({ ...base, topics: [] })).toContain("'fleet.topics' is not a member of fleet");
    expect(refusal({ url: base.url, groups: base.groups })).toContain("'fleet.device'");
  });

  test("credentials: user and password (or its file), token (or its file), an nkey seed or a creds file", () => {
    const dir = tempDir();
    const passwordFile = join(dir, "password");
    writeFileSync(passwordFile, `${SECRET}\n`, { mode: 0o600 });
    const seedFile = join(dir, "pi-07.nk");
    writeFileSync(seedFile, "SUAEXAMPLE\n", { mode: 0o600 });
    const options = (credentials: unknown) => resolveAgentOptions({ fleet: { ...base, credentials } }).fleet;
    expect(options({ user: "pi-07", password: SECRET })?.credentials).toEqual({
      user: "pi-07",
      password: SECRET,
    });
    expect(options({ user: "pi-07", passwordFile })?.credentials).toEqual({
      user: "pi-07",
      password: SECRET,
    });
    expect(options({ token: SECRET })?.credentials).toEqual({ token: SECRET });
    expect(options({ tokenFile: passwordFile })?.credentials).toEqual({ token: SECRET });
    expect(options({ nkeySeedFile: seedFile })?.credentials).toEqual({ nkeySeedFile: seedFile });
    expect(options({ credsFile: seedFile })?.credentials).toEqual({ credsFile: seedFile });
    expect(options({})?.credentials).toBeNull();
  });

  test("refuses mixed or incomplete credentials and unreadable files, never quoting a secret", () => {
    const messages = [
      refusal({ ...base, credentials: { user: "pi-07", password: SECRET, token: SECRET } }),
      refusal({ ...base, credentials: { password: SECRET } }),
      refusal({ ...base, credentials: { user: "pi-07", password: SECRET, passwordFile: "/x" } }),
      refusal({ ...base, credentials: { token: SECRET, tokenFile: "/x" } }),
      refusal({ ...base, credentials: { password: 42 } }),
      refusal({ ...base, credentials: { token: "" } }),
      refusal({ ...base, credentials: { secret: SECRET } }),
      refusal({ ...base, credentials: SECRET }),
      refusal({ ...base, credentials: { user: "pi-07", passwordFile: "/nonexistent/password" } }),
      refusal({ ...base, credentials: { nkeySeedFile: "/nonexistent/pi-07.nk" } }),
    ];
    expect(messages[0]).toContain(
      "'fleet.credentials' must name one way to authenticate (user with password or passwordFile; token or tokenFile; nkeySeedFile; credsFile): found a user and password and a token",
    );
    expect(messages[1]).toContain("'fleet.credentials' needs 'user' with the password");
    expect(messages[2]).toContain("exactly one of 'password' and 'passwordFile'");
    expect(messages[3]).toContain("exactly one of 'token' and 'tokenFile'");
    expect(messages[4]).toBe(
      "Cannot start the agent as 'fleet.credentials.password' must be a string: current value is \"(hidden)\"",
    );
    expect(messages[5]).toContain("'fleet.credentials.token' must not be empty");
    expect(messages[6]).toContain("'fleet.credentials.secret' is not a member of fleet.credentials");
    expect(messages[7]).toContain("'fleet.credentials' must be an object");
    expect(messages[8]).toContain("'fleet.credentials.passwordFile' cannot be read");
    expect(messages[9]).toContain("'fleet.credentials.nkeySeedFile' cannot be read");
    for (const message of messages) expect(message).not.toContain(SECRET);
  });

  test("TLS: a CA alone, or with both a certificate and its key", () => {
    expect(resolveAgentOptions({ fleet: { ...base, tls: { caFile: "/ca.pem" } } }).fleet?.tls).toEqual({
      caFile: "/ca.pem",
    });
    expect(refusal({ ...base, tls: { certFile: "/c.pem" } })).toContain(
      "'fleet.tls' needs both 'certFile' and 'keyFile', or neither",
    );
  });

  test("publicKey: PEM or the one-line key, one or several; a bad one names fleet.publicKey", () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const line = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const one = resolveAgentOptions({ fleet: { ...base, publicKey: line } }).fleet!;
    expect(one.publicKeys.map(keyIdOf)).toEqual([keyIdOf(publicKey)]);
    const other = generateKeyPairSync("ed25519").publicKey;
    const two = resolveAgentOptions({
      fleet: { ...base, publicKey: [pem, other.export({ type: "spki", format: "pem" }).toString()] },
    }).fleet!;
    expect(two.publicKeys.map(keyIdOf)).toEqual([keyIdOf(publicKey), keyIdOf(other)]);
    expect(refusal({ ...base, publicKey: "not a key" })).toBe(
      "Cannot start the agent as 'fleet.publicKey' is not an Ed25519 public key (PEM, or the one-line key `lambdalet fleet keygen` prints)",
    );
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    expect(refusal({ ...base, publicKey: [line, rsa.toString()] })).toBe(
      "Cannot start the agent as 'fleet.publicKey.1' is not an Ed25519 public key",
    );
    // the signer's private key, which would yield its public half, is refused: a device must not hold it
    const privatePem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(refusal({ ...base, publicKey: privatePem })).toContain("is a private key");
  });
});
