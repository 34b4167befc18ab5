/** @module The fleet commands' flags: the hub, the login (flags over the nats CLI's variables), TLS, durations. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../../lib/cli/cli-error.ts";
import {
  connectionOptionsOf,
  DEFAULT_SERVER,
  listFlag,
  parseDuration,
  parseFleetName,
} from "../../lib/cli/fleet-args.ts";
import { tempDir } from "../helpers/agent-process.ts";

const dir = tempDir();
const seed = join(dir, "deployer.nk");
const creds = join(dir, "deployer.creds");
const ca = join(dir, "ca.pem");
const cert = join(dir, "client.pem");
const key = join(dir, "client-key.pem");
for (const file of [seed, creds, ca, cert, key]) writeFileSync(file, "x\n", { mode: 0o600 });

function refusal(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("no CliError was thrown");
}

describe("connectionOptionsOf()", () => {
  test("defaults to the local hub with no login, no TLS, failing fast", () => {
    expect(connectionOptionsOf({}, {})).toEqual({
      servers: DEFAULT_SERVER,
      credentials: null,
      tls: null,
      name: "lambdalet fleet",
      device: null,
      persistent: false,
    });
  });

  test("takes --server, or several comma-separated, over $NATS_URL", () => {
    expect(connectionOptionsOf({}, { NATS_URL: "nats://hub:4222" }).servers).toBe("nats://hub:4222");
    expect(
      connectionOptionsOf({ server: "nats://a:4222, nats://b:4222" }, { NATS_URL: "nats://hub:4222" })
        .servers,
    )
      .toEqual(["nats://a:4222", "nats://b:4222"]);
    expect(connectionOptionsOf({ server: "hub.local:4222" }, {}).servers).toBe("hub.local:4222");
  });

  test("refuses a server that is not nats:// or tls://, naming the flag", () => {
    const error = refusal(() => connectionOptionsOf({ server: "http://hub:4222" }, {}));
    expect(error.exitCode).toBe(252);
    expect(error.message).toMatch(
      /^Error parsing parameter '--server': .*nats:\/\/host:port or tls:\/\/host:port/,
    );
  });

  test("reads each way to log in from its flag", () => {
    expect(connectionOptionsOf({ user: "deployer", password: "s3cret" }, {}).credentials)
      .toEqual({ user: "deployer", password: "s3cret" });
    expect(connectionOptionsOf({ token: "t0k3n" }, {}).credentials).toEqual({ token: "t0k3n" });
    expect(connectionOptionsOf({ nkey: seed }, {}).credentials).toEqual({ nkeySeedFile: seed });
    expect(connectionOptionsOf({ creds }, {}).credentials).toEqual({ credsFile: creds });
  });

  test("falls back to the nats CLI's variables, and flags replace them as a whole", () => {
    const env = { NATS_USER: "envuser", NATS_PASSWORD: "envpass" };
    expect(connectionOptionsOf({}, env).credentials).toEqual({ user: "envuser", password: "envpass" });
    expect(connectionOptionsOf({ token: "t" }, env).credentials).toEqual({ token: "t" });
    expect(connectionOptionsOf({}, { NATS_TOKEN: "tok" }).credentials).toEqual({ token: "tok" });
    expect(connectionOptionsOf({}, { NATS_NKEY: seed }).credentials).toEqual({ nkeySeedFile: seed });
    expect(connectionOptionsOf({}, { NATS_CREDS: creds }).credentials).toEqual({ credsFile: creds });
  });

  test("refuses two ways to log in at once, and a user without a password", () => {
    expect(refusal(() => connectionOptionsOf({ token: "t", nkey: seed }, {})).message)
      .toBe("Use one way to log in to the hub, not --token and --nkey");
    expect(refusal(() => connectionOptionsOf({ user: "u" }, {})).message).toBe("--user needs --password");
    expect(refusal(() => connectionOptionsOf({ password: "p" }, {})).message).toBe("--password needs --user");
  });

  test("never quotes a password or token in a refusal", () => {
    const error = refusal(() => connectionOptionsOf({ user: "", password: "hunter2" }, {}));
    expect(error.message).not.toContain("hunter2");
  });

  test("refuses a key or certificate file it cannot read, naming the flag", () => {
    const missing = join(dir, "missing.nk");
    const error = refusal(() => connectionOptionsOf({ nkey: missing }, {}));
    expect(error.exitCode).toBe(252);
    expect(error.message).toBe(`Error parsing parameter '--nkey': cannot read the file ${missing}`);
    expect(refusal(() => connectionOptionsOf({ "tls-ca": missing }, {})).message).toContain("'--tls-ca'");
  });

  test("TLS from a CA, a client certificate with its key, or a tls:// server", () => {
    expect(connectionOptionsOf({ "tls-ca": ca }, {}).tls).toEqual({ caFile: ca });
    expect(connectionOptionsOf({ "tls-cert": cert, "tls-key": key }, {}).tls).toEqual({
      certFile: cert,
      keyFile: key,
    });
    expect(connectionOptionsOf({ server: "tls://hub:4222" }, {}).tls).toEqual({});
    expect(connectionOptionsOf({}, { NATS_CA: ca }).tls).toEqual({ caFile: ca });
    expect(refusal(() => connectionOptionsOf({ "tls-cert": cert }, {})).message)
      .toBe("--tls-cert and --tls-key go together (mutual TLS)");
  });
});

describe("parseDuration()", () => {
  test("reads ms, s, m, h and bare seconds", () => {
    expect(parseDuration("step-timeout", "500ms")).toBe(500);
    expect(parseDuration("step-timeout", "90s")).toBe(90_000);
    expect(parseDuration("step-timeout", "10m")).toBe(600_000);
    expect(parseDuration("step-timeout", "1h")).toBe(3_600_000);
    expect(parseDuration("step-timeout", "30")).toBe(30_000);
  });

  test("refuses what is not a duration above zero, naming the flag", () => {
    for (const bad of ["0s", "ten", "-5m", "5 days", ""]) {
      const error = refusal(() => parseDuration("stale-after", bad));
      expect(error.exitCode).toBe(252);
      expect(error.message).toMatch(
        /^Error parsing parameter '--stale-after': .* must be a duration above zero/,
      );
    }
  });
});

describe("names and lists", () => {
  test("a device or group name is one subject token", () => {
    expect(parseFleetName("group", "plant-a")).toBe("plant-a");
    for (const bad of ["a.b", "a*", "a b", "", ">"]) {
      expect(refusal(() => parseFleetName("group", bad)).message)
        .toMatch(/^Error parsing parameter '--group': .*1-64 letters, digits/);
    }
  });

  test("a list flag may repeat or separate with commas", () => {
    expect(listFlag(undefined)).toEqual([]);
    expect(listFlag("a,b")).toEqual(["a", "b"]);
    expect(listFlag(["a", "b, c"])).toEqual(["a", "b", "c"]);
  });
});
