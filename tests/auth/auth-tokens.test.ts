/** @module Workers' Greengrass IPC tokens: they stand for the worker's session and die with it. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Keyring } from "../../lib/auth/mod.ts";
import { openStore } from "../../lib/store/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

describe("Keyring auth tokens", () => {
  const store = openStore(join(tempDir(), "lambdalet.db"));
  const keyring = new Keyring(store.apiKeys);

  test("findByAuthToken() gives the session's rights for its token, and nothing once the session is closed", () => {
    const session = keyring.openSession(["target"], { functionName: "caller", topics: ["a/#"] });
    const principal = keyring.findByAuthToken(session.authToken);
    expect(principal).toMatchObject({
      accessKeyId: session.accessKeyId,
      scope: "invoke",
      functions: ["target"],
      session: true,
      publisher: { functionName: "caller", topics: ["a/#"] },
    });
    keyring.closeSession(session.accessKeyId);
    expect(keyring.findByAuthToken(session.authToken)).toBeNull();
  });

  test("findByAuthToken() refuses empty and unknown tokens, and keys or session tokens used as one", () => {
    const session = keyring.openSession(["target"]);
    expect(session.authToken).not.toBe(session.sessionToken);
    expect(keyring.findByAuthToken("")).toBeNull();
    expect(keyring.findByAuthToken("made-up")).toBeNull();
    expect(keyring.findByAuthToken(session.sessionToken)).toBeNull();
    expect(keyring.findByAuthToken(session.secretAccessKey)).toBeNull();
    expect(keyring.findByAuthToken(keyring.defaultKey().secret)).toBeNull();
  });
});
