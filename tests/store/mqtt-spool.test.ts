/** @module The MQTT spool: order, bounds by count and bytes, the oldest dropped first. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../helpers/agent-process.ts";
import { openStore } from "../../lib/store/mod.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("MqttSpool", () => {
  test("messages come back in the order they were spooled, after a given id", () => {
    const store = openStore(join(tempDir(), "spool.db"));
    const bounds = { maxSizeInBytes: 10_000, maxMessages: 100 };
    const ids = ["a", "b", "c"].map((text) => store.mqttSpool.add("t/x", bytes(text), bounds).id!);
    expect(store.mqttSpool.next(0, 10).map((message) => new TextDecoder().decode(message.payload))).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(store.mqttSpool.next(ids[0]!, 1).map((message) => message.id)).toEqual([ids[1]!]);
    store.mqttSpool.remove(ids[1]!);
    expect(store.mqttSpool.depth()).toEqual({ count: 2, bytes: 8 });
    store.close();
  });

  test("past maxMessages the oldest are dropped, and counted", () => {
    const store = openStore(join(tempDir(), "spool.db"));
    const bounds = { maxSizeInBytes: 10_000, maxMessages: 2 };
    expect(store.mqttSpool.add("t", bytes("1"), bounds).dropped).toBe(0);
    expect(store.mqttSpool.add("t", bytes("2"), bounds).dropped).toBe(0);
    expect(store.mqttSpool.add("t", bytes("3"), bounds).dropped).toBe(1);
    expect(store.mqttSpool.next(0, 10).map((message) => new TextDecoder().decode(message.payload))).toEqual([
      "2",
      "3",
    ]);
    store.close();
  });

  test("past maxSizeInBytes the oldest are dropped; a message larger than the bound alone is dropped at once", () => {
    const store = openStore(join(tempDir(), "spool.db"));
    const bounds = { maxSizeInBytes: 10, maxMessages: 100 };
    store.mqttSpool.add("t", bytes("aaaa"), bounds); // 5 bytes with its topic
    store.mqttSpool.add("t", bytes("bbbb"), bounds);
    expect(store.mqttSpool.add("t", bytes("cccc"), bounds).dropped).toBe(1);
    expect(store.mqttSpool.depth()).toEqual({ count: 2, bytes: 10 });
    expect(store.mqttSpool.add("t", bytes("x".repeat(20)), bounds)).toEqual({ id: null, dropped: 1 });
    expect(store.mqttSpool.depth().count).toBe(2);
    store.close();
  });
});
