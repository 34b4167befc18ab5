import { describe, expect, test } from "bun:test";
import { openStore, type Store } from "../../lib/store/mod.ts";

function queue(store: Store, id: string, orderingKey: string | null, enqueuedAt: number): void {
  store.events.enqueue({
    id,
    functionName: "fn",
    version: "$LATEST",
    invokedArn: "arn:fn",
    payload: new Uint8Array(),
    clientContext: null,
    enqueuedAt,
    orderingKey,
  });
}

const ids = (store: Store, now: number, running: string[] = []) =>
  store.events.due(now, 10, new Set(running)).map((event) => event.id);

describe("events with an ordering key", () => {
  test("only the first queued of a key is due; plain events are all due", () => {
    const store = openStore(":memory:");
    queue(store, "k1", "key", 1);
    queue(store, "p1", null, 2);
    queue(store, "k2", "key", 3);
    queue(store, "j1", "other", 4);
    queue(store, "p2", null, 5);
    expect(ids(store, 10)).toEqual(["k1", "p1", "j1", "p2"]);
    // while k1 runs, nothing else of its key starts
    expect(ids(store, 10, ["k1"])).toEqual(["p1", "j1", "p2"]);
    store.events.remove("k1");
    expect(ids(store, 10)).toContain("k2");
  });

  test("a retry holds the line: the next of its key waits, and the queue's next due time is the retry's", () => {
    const store = openStore(":memory:");
    queue(store, "k1", "key", 1);
    queue(store, "k2", "key", 2);
    store.events.retryLater("k1", 1, 1000, "failed");
    expect(ids(store, 10)).toEqual([]);
    expect(store.events.nextDue()).toBe(1000);
    expect(ids(store, 1000)).toEqual(["k1"]);
  });

  test("a fan-out is committed in one transaction, in order", () => {
    const store = openStore(":memory:");
    const event = (id: string) => ({
      id,
      functionName: "fn",
      version: "$LATEST",
      invokedArn: "arn:fn",
      payload: new Uint8Array(),
      clientContext: null,
      enqueuedAt: 1,
      orderingKey: "key",
    });
    expect(() => store.events.enqueueAll([event("a"), event("b"), event("a")])).toThrow();
    expect(store.events.size()).toBe(0);
    store.events.enqueueAll([event("a"), event("b")]);
    expect(ids(store, 1)).toEqual(["a"]);
  });

  test("dead letters keep their key and queue again oldest first", () => {
    const store = openStore(":memory:");
    queue(store, "k1", "key", 1);
    queue(store, "k2", "key", 2);
    const [first] = store.events.due(10, 1, new Set());
    store.events.bury(first!, "RetriesExhausted", 3, "boom", 20);
    const [second] = store.events.due(10, 1, new Set());
    store.events.bury(second!, "RetriesExhausted", 3, "boom", 30);
    expect(store.events.replay(undefined, 40)).toBe(2);
    expect(ids(store, 40)).toEqual(["k1"]);
  });
});
