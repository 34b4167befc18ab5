/**
 * @module The agent's own operations, called in memory: keys, dead letters, account settings, /status, /healthz,
 * unknown paths and signatures.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { signRequest } from "../../lib/auth/mod.ts";
import { createBody, HANDLERS } from "../helpers/functions.ts";
import { arnOf, expectError, type InMemoryApi, openInMemoryApi, REGION } from "../helpers/in-memory-api.ts";

const KEYS = "/lambdalet/v1/keys";
const DEAD_LETTERS = "/lambdalet/v1/dead-letters";

interface Key {
  AccessKeyId: string;
  Scope: string;
  Functions: string[];
  Description: string;
  CreatedAt: string;
  SecretAccessKey?: string;
}

let api: InMemoryApi;

beforeAll(async () => {
  api = await openInMemoryApi();
});

afterAll(() => {
  api.close();
});

describe("keys", () => {
  test("creating an invoke key answers 201 with its secret, shown this once", async () => {
    const created = await api.json<Key>("POST", KEYS, {
      Scope: "invoke",
      Functions: ["orders"],
      Description: "the till",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ Scope: "invoke", Functions: ["orders"], Description: "the till" });
    expect(created.body.AccessKeyId).toMatch(/^[A-Z0-9]{16,128}$/);
    expect(created.body.SecretAccessKey?.length).toBeGreaterThan(20);
    const listed = await api.json<{ Keys: Key[] }>("GET", KEYS);
    const shown = listed.body.Keys.find((key) => key.AccessKeyId === created.body.AccessKeyId);
    expect(shown).toMatchObject({ Scope: "invoke", Functions: ["orders"], Description: "the till" });
    expect(shown).not.toHaveProperty("SecretAccessKey");
  });

  test("the list holds the credentials file's admin key, without secrets", async () => {
    const listed = await api.json<{ Keys: Key[] }>("GET", KEYS);
    expect(listed.status).toBe(200);
    expect(listed.body.Keys).toContainEqual(expect.objectContaining({
      AccessKeyId: api.keyring.defaultKey().accessKeyId,
      Scope: "admin",
      Description: "default",
    }));
    expect(JSON.stringify(listed.body)).not.toContain(api.keyring.defaultKey().secret);
  });

  test("an admin key created here may call admin operations", async () => {
    const created = await api.json<Key>("POST", KEYS, { Scope: "admin", Description: "ops" });
    const credentials = {
      accessKeyId: created.body.AccessKeyId,
      secretAccessKey: created.body.SecretAccessKey!,
    };
    const response = await api.request("GET", KEYS, undefined, {}, credentials);
    expect(response.status).toBe(200);
  });

  test("rotating a key gives it a new secret: the old one is refused at once", async () => {
    const created = await api.json<Key>("POST", KEYS, { Scope: "admin", Description: "rotated" });
    const id = created.body.AccessKeyId;
    const rotated = await api.json<Key>("POST", `${KEYS}/${id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.AccessKeyId).toBe(id);
    expect(rotated.body.SecretAccessKey).not.toBe(created.body.SecretAccessKey);
    const old = { accessKeyId: id, secretAccessKey: created.body.SecretAccessKey! };
    await expectError(
      await api.request("GET", KEYS, undefined, {}, old),
      403,
      "InvalidSignatureException",
      /^The signature does not match the request/,
    );
    const fresh = { accessKeyId: id, secretAccessKey: rotated.body.SecretAccessKey! };
    expect((await api.request("GET", KEYS, undefined, {}, fresh)).status).toBe(200);
  });

  test("rotating the credentials file's key saves it again", async () => {
    const before = api.savedDefaultKey();
    const rotated = await api.json<Key>("POST", `${KEYS}/${before.accessKeyId}/rotate`);
    expect(rotated.status).toBe(200);
    expect(api.savedDefaultKey()).toMatchObject({
      accessKeyId: before.accessKeyId,
      secret: rotated.body.SecretAccessKey!,
    });
    expect(api.savedDefaultKey().secret).not.toBe(before.secret);
    // the fixture signs with the saved key: later calls still pass
    expect((await api.request("GET", KEYS)).status).toBe(200);
  });

  test("deleting a key answers 204, and its requests are refused as unknown", async () => {
    const created = await api.json<Key>("POST", KEYS, { Scope: "invoke", Functions: ["*"] });
    const id = created.body.AccessKeyId;
    expect((await api.request("DELETE", `${KEYS}/${id}`)).status).toBe(204);
    await expectError(
      await api.request("GET", "/status", undefined, {}, {
        accessKeyId: id,
        secretAccessKey: created.body.SecretAccessKey!,
      }),
      403,
      "UnrecognizedClientException",
      `The access key id '${id}' is not a key of this agent`,
    );
    await expectError(
      await api.request("DELETE", `${KEYS}/${id}`),
      404,
      "ResourceNotFoundException",
      `Key not found: ${id}`,
    );
  });

  test("the credentials file's key cannot be deleted (409)", async () => {
    await expectError(
      await api.request("DELETE", `${KEYS}/${api.keyring.defaultKey().accessKeyId}`),
      409,
      "ResourceConflictException",
      "This is the admin key of the credentials file: rotate it (`lambdalet keys rotate`) rather than delete it",
    );
  });

  test("an unknown or malformed key id is refused", async () => {
    await expectError(
      await api.request("POST", `${KEYS}/AAAAAAAAAAAAAAAAAAAA/rotate`),
      404,
      "ResourceNotFoundException",
      "Key not found: AAAAAAAAAAAAAAAAAAAA",
    );
    await expectError(
      await api.request("DELETE", `${KEYS}/lower-case`),
      400,
      "InvalidParameterValueException",
      "'lower-case' is not an access key id",
    );
  });

  test("an invoke key needs Functions, and 'default' is a reserved description", async () => {
    await expectError(
      await api.request("POST", KEYS, { Scope: "invoke" }),
      400,
      "InvalidParameterValueException",
      '1 validation error detected: Value failed to satisfy constraint: an invoke key needs Functions: the names it may invoke, or ["*"]',
    );
    await expectError(
      await api.request("POST", KEYS, { Scope: "admin", Description: "default" }),
      400,
      "InvalidParameterValueException",
      "1 validation error detected: Value failed to satisfy constraint: the description 'default' is the credentials file's key",
    );
    await expectError(
      await api.request("POST", KEYS, { Scope: "root" }),
      400,
      "InvalidParameterValueException",
      "1 validation error detected: Value at 'Scope' failed to satisfy constraint: must be admin, invoke or metrics",
    );
  });
});

describe("dead letters", () => {
  /** Buries an Event of `functionName` as a dead letter, straight through the store. */
  function bury(id: string, functionName: string, failedAt: number): void {
    const event = {
      id,
      functionName,
      version: "$LATEST",
      invokedArn: arnOf(functionName),
      payload: new TextEncoder().encode(`{"id":"${id}"}`),
      clientContext: null,
      enqueuedAt: failedAt - 1000,
    };
    api.store.events.enqueue(event);
    api.store.events.bury(
      { ...event, attempts: 0, nextAttemptAt: event.enqueuedAt, lastError: null },
      "RetriesExhausted",
      3,
      "Error: boom",
      failedAt,
    );
  }

  interface Letter {
    RequestId: string;
    FunctionName: string;
    Version: string;
    Condition: string;
    Attempts: number;
    LastError: string | null;
    EnqueuedAt: string;
    FailedAt: string;
    Payload: string;
  }

  beforeAll(() => {
    bury("dl-1", "billing", Date.UTC(2026, 0, 1));
    bury("dl-2", "billing", Date.UTC(2026, 0, 2));
    bury("dl-3", "mailer", Date.UTC(2026, 0, 3));
  });

  test("are listed newest first, with what they carried", async () => {
    const listed = await api.json<{ DeadLetters: Letter[] }>("GET", DEAD_LETTERS);
    expect(listed.status).toBe(200);
    expect(listed.body.DeadLetters.map((letter) => letter.RequestId)).toEqual(["dl-3", "dl-2", "dl-1"]);
    expect(listed.body.DeadLetters[2]).toEqual({
      RequestId: "dl-1",
      FunctionName: "billing",
      Version: "$LATEST",
      Condition: "RetriesExhausted",
      Attempts: 3,
      LastError: "Error: boom",
      EnqueuedAt: new Date(Date.UTC(2026, 0, 1) - 1000).toISOString(),
      FailedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
      Payload: '{"id":"dl-1"}',
    });
  });

  test("are listed by function", async () => {
    const listed = await api.json<{ DeadLetters: Letter[] }>("GET", `${DEAD_LETTERS}?FunctionName=mailer`);
    expect(listed.body.DeadLetters.map((letter) => letter.RequestId)).toEqual(["dl-3"]);
  });

  test("a FunctionName that is no function name is refused", async () => {
    await expectError(
      await api.request("GET", `${DEAD_LETTERS}?FunctionName=${encodeURIComponent("a b")}`),
      400,
      "InvalidParameterValueException",
      /^1 validation error detected: Value at 'FunctionName' failed to satisfy constraint: /,
    );
  });

  test("replay puts those of one function back in the queue", async () => {
    const queuedBefore = api.store.events.size();
    const replayed = await api.json<{ Replayed: number }>(
      "POST",
      `${DEAD_LETTERS}/replay?FunctionName=billing`,
    );
    expect(replayed).toMatchObject({ status: 200, body: { Replayed: 2 } });
    const status = await api.json<{ events: { queued: number } }>("GET", "/status");
    expect(status.body.events.queued).toBe(queuedBefore + 2);
    const left = await api.json<{ DeadLetters: Letter[] }>("GET", DEAD_LETTERS);
    expect(left.body.DeadLetters.map((letter) => letter.RequestId)).toEqual(["dl-3"]);
  });

  test("purge deletes them", async () => {
    bury("dl-4", "mailer", Date.UTC(2026, 0, 4));
    const purged = await api.json<{ Purged: number }>("DELETE", DEAD_LETTERS);
    expect(purged).toMatchObject({ status: 200, body: { Purged: 2 } });
    const left = await api.json<{ DeadLetters: Letter[] }>("GET", DEAD_LETTERS);
    expect(left.body.DeadLetters).toEqual([]);
    const again = await api.json<{ Purged: number }>("DELETE", `${DEAD_LETTERS}?FunctionName=mailer`);
    expect(again.body).toEqual({ Purged: 0 });
  });
});

describe("GetAccountSettings", () => {
  test("counts the functions and the size of their code", async () => {
    const before = await api.json<{ AccountUsage: { FunctionCount: number; TotalCodeSize: number } }>(
      "GET",
      "/2016-08-19/account-settings",
    );
    expect(before.status).toBe(200);
    const created = await api.createFunction("counted");
    const after = await api.json<{
      AccountLimit: Record<string, number>;
      AccountUsage: { FunctionCount: number; TotalCodeSize: number };
    }>("GET", "/2016-08-19/account-settings");
    expect(after.body.AccountUsage).toEqual({
      FunctionCount: before.body.AccountUsage.FunctionCount + 1,
      TotalCodeSize: before.body.AccountUsage.TotalCodeSize + (created.CodeSize as number),
    });
    expect(after.body.AccountLimit).toMatchObject({
      CodeSizeZipped: 50 * 1024 * 1024,
      ConcurrentExecutions: 1000,
    });
  });
});

describe("/status and /healthz", () => {
  test("/status shows every pool the scheduler reports and the queued events", async () => {
    api.runner.statuses = [{
      functionName: "counted",
      version: "$LATEST",
      lifecycle: "pinned",
      state: "ready",
      workers: { starting: 0, idle: 1, busy: 0 },
      queueDepth: 0,
      invocations: 0,
      errors: 0,
      coldStarts: 1,
      restarts: 0,
    }];
    try {
      const status = await api.json<{ functions: unknown[]; events: { queued: number } }>("GET", "/status");
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        functions: api.runner.statuses,
        events: { queued: api.store.events.size() },
        subscriptions: [],
      });
    } finally {
      api.runner.statuses = [];
    }
  });

  test("/status needs a signature", async () => {
    await expectError(
      await api.unsigned("GET", "/status"),
      403,
      "MissingAuthenticationTokenException",
      /^This request is not signed/,
    );
  });

  test("/healthz answers anyone", async () => {
    const response = await api.unsigned("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("routes and signatures", () => {
  test("an unknown path is 404 UnknownOperationException", async () => {
    await expectError(
      await api.request("GET", "/2015-03-31/nothing-here"),
      404,
      "UnknownOperationException",
      "Unknown operation: GET /2015-03-31/nothing-here",
    );
  });

  test("a known path with another method is 404 UnknownOperationException", async () => {
    await expectError(
      await api.request("PATCH", "/2015-03-31/functions"),
      404,
      "UnknownOperationException",
      "Unknown operation: PATCH /2015-03-31/functions",
    );
  });

  test("an unsigned call of any operation but Invoke is refused", async () => {
    await expectError(
      await api.unsigned("GET", "/2015-03-31/functions"),
      403,
      "MissingAuthenticationTokenException",
      "This request is not signed: sign it with AWS Signature Version 4 and a key of this agent (see `lambdalet credentials`)",
    );
  });

  test("a request signed with a wrong secret is 403 InvalidSignatureException", async () => {
    const forged = { accessKeyId: api.savedDefaultKey().accessKeyId, secretAccessKey: "not-the-secret" };
    await expectError(
      await api.request("GET", "/2015-03-31/functions", undefined, {}, forged),
      403,
      "InvalidSignatureException",
      "The signature does not match the request: check the secret access key, the region and that nothing changed the request after signing",
    );
  });

  test("a body changed after signing is 403 InvalidSignatureException, and nothing is created", async () => {
    const url = "http://localhost/2015-03-31/functions";
    const key = api.savedDefaultKey();
    const headers = await signRequest(
      { method: "POST", url, body: '{"FunctionName":"signed"}' },
      { accessKeyId: key.accessKeyId, secretAccessKey: key.secret },
      REGION,
    );
    const changed = createBody("tampered", HANDLERS.greeting);
    const response = await api.app.request(url, { method: "POST", headers, body: JSON.stringify(changed) });
    await expectError(
      response,
      403,
      "InvalidSignatureException",
      "The x-amz-content-sha256 header does not match the SHA-256 of the body",
    );
    expect((await api.request("GET", "/2015-03-31/functions/tampered")).status).toBe(404);
  });
});
