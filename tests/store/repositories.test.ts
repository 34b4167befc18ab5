/** @module The repositories read and write rows in the stored form of existing data dirs (JSON text, blobs). */
import { describe, expect, test } from "bun:test";
import { openStore, type Store } from "../../lib/store/mod.ts";
import { latestConfig } from "../helpers/function-configs.ts";

function storeWithFunction(): Store {
  const store = openStore(":memory:");
  store.code.put("c0de", new Uint8Array([1]));
  store.functions.create(latestConfig("fn", { sha256: "c0de", size: 1 }), { team: "edge" });
  return store;
}

describe("stored rows", () => {
  test("functions and versions are written as before and read back with their tags and configuration", () => {
    const store = storeWithFunction();
    const fn = store.db.query<{ name: string; tags: string }, []>("SELECT name, tags FROM functions").get();
    expect(fn).toEqual({ name: "fn", tags: '{"team":"edge"}' });
    const version = store.db.query<{ code_sha256: string; version: string }, []>(
      "SELECT code_sha256, version FROM versions",
    ).get();
    expect(version).toEqual({ code_sha256: "c0de", version: "$LATEST" });
    expect(store.functions.getTags("fn")).toEqual({ team: "edge" });
    store.functions.putLatest(latestConfig("fn", { sha256: "c0de", size: 1 }), { team: "core" });
    expect(store.functions.getTags("fn")).toEqual({ team: "core" });
    expect(store.functions.publish("fn", "v1", () => {}).version).toBe("1");
    expect(store.functions.listVersions("fn", undefined, 10).items.map((row) => Object.keys(row))).toEqual([
      ["version", "config"],
      ["version", "config"],
    ]);
    store.close();
  });

  test("an alias row written by an older agent reads back with its routing weights", () => {
    const store = storeWithFunction();
    store.db.run(
      `INSERT INTO aliases (function_name, name, function_version, description, routing, revision_id)
       VALUES ('fn', 'live', '$LATEST', 'd', '{"1":0.25}', 'r1')`,
    );
    expect(store.aliases.get("fn", "live")).toEqual({
      functionName: "fn",
      name: "live",
      functionVersion: "$LATEST",
      description: "d",
      additionalVersionWeights: { "1": 0.25 },
      revisionId: "r1",
    });
    const created = store.aliases.create({
      functionName: "fn",
      name: "beta",
      functionVersion: "$LATEST",
      description: "",
      additionalVersionWeights: {},
    });
    expect(store.aliases.list("fn", undefined, undefined, 10).items).toEqual([created, expect.anything()]);
    store.close();
  });

  test("a deployment keeps its documents as JSON and returns to the states it replaced", () => {
    const store = openStore(":memory:");
    const record = {
      id: "d1",
      createdAt: "2024-01-01T00:00:00.000Z",
      status: "IN_PROGRESS" as const,
      policy: "ROLLBACK" as const,
      functions: { fn: null },
      previous: {},
      error: null,
      functionStatus: { fn: "STARTED" },
    };
    store.deployments.insert(record);
    const row = store.db.query<{ document: string; function_status: string }, []>(
      "SELECT document, function_status FROM deployments",
    ).get();
    expect(row).toEqual({ document: '{"fn":null}', function_status: '{"fn":"STARTED"}' });
    expect(store.deployments.get("d1")).toEqual(record);
    expect(store.deployments.returnable()).toEqual([{}, { fn: null }]);
    store.close();
  });

  test("an event keeps its payload through the queue, a dead letter and a replay", () => {
    const store = openStore(":memory:");
    const payload = new TextEncoder().encode('{"a":1}');
    store.events.enqueue({
      id: "e1",
      functionName: "fn",
      version: "$LATEST",
      invokedArn: "arn:fn",
      payload,
      clientContext: null,
      enqueuedAt: 10,
    });
    const [event] = store.events.due(10, 5, new Set());
    expect(event).toEqual({
      id: "e1",
      functionName: "fn",
      version: "$LATEST",
      invokedArn: "arn:fn",
      payload,
      clientContext: null,
      enqueuedAt: 10,
      attempts: 0,
      nextAttemptAt: 10,
      lastError: null,
    });
    store.events.bury(event!, "RetriesExhausted", 3, "boom", 20);
    expect(store.events.size()).toBe(0);
    expect(store.events.deadLetters("fn")).toEqual([{
      id: "e1",
      functionName: "fn",
      version: "$LATEST",
      invokedArn: "arn:fn",
      payload,
      clientContext: null,
      enqueuedAt: 10,
      attempts: 3,
      lastError: "boom",
      condition: "RetriesExhausted",
      failedAt: 20,
    }]);
    expect(store.events.replay(undefined, 30)).toBe(1);
    expect(store.events.due(30, 5, new Set())[0]).toMatchObject({ id: "e1", attempts: 0, enqueuedAt: 30 });
    store.close();
  });

  test("API keys and event invoke configurations read back as written", () => {
    const store = storeWithFunction();
    const key = {
      accessKeyId: "AK",
      secret: "s",
      scope: "invoke" as const,
      functions: ["fn"],
      description: "default",
      createdAt: "2024-01-01T00:00:00.000Z",
    };
    store.apiKeys.insert(key);
    expect(store.apiKeys.get("AK")).toEqual(key);
    expect(store.apiKeys.findByDescription("default")).toEqual(key);
    const stored = store.eventInvokeConfigs.put("fn", "", {
      maximumRetryAttempts: 1,
      maximumEventAgeInSeconds: 60,
    });
    expect(store.eventInvokeConfigs.get("fn", "")).toEqual(stored);
    expect(store.eventInvokeConfigs.get("fn", "live")).toBeNull();
    store.close();
  });
});
