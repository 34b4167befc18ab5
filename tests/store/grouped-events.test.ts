import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore, type Store } from "../../lib/store/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

const STORE_MODULE = join(import.meta.dir, "..", "..", "lib", "store", "mod.ts");

function event(id: string) {
  return {
    id,
    functionName: "fn",
    version: "$LATEST",
    invokedArn: "arn:fn",
    payload: new Uint8Array([1]),
    clientContext: null,
    enqueuedAt: 1,
  };
}

const synchronous = (store: Store) =>
  store.db.query<{ synchronous: number }, []>("PRAGMA synchronous").get()?.synchronous;

describe("group commits of the event queue", () => {
  test("writes of one turn commit together, after the turn, and resolve once committed", async () => {
    const store = openStore(":memory:");
    const accepted = [store.events.enqueueGrouped(event("a")), store.events.enqueueGrouped(event("b"))];
    // nothing is written before the group commits
    expect(store.events.size()).toBe(0);
    await Promise.all(accepted);
    expect(store.events.size()).toBe(2);
    await store.events.grouped(() => store.events.remove("a"), { durable: false });
    expect(store.events.due(10, 10, new Set()).map((each) => each.id)).toEqual(["b"]);
    // a group of outcomes only is committed without a sync; the connection is left at FULL for the others
    expect(synchronous(store)).toBe(2);
  });

  test("a write that throws is rolled back alone and rejects; the others of its group commit", async () => {
    const store = openStore(":memory:");
    store.events.enqueue(event("taken"));
    const results = await Promise.allSettled([
      store.events.enqueueGrouped(event("first")),
      store.events.grouped(() => {
        store.events.remove("taken");
        throw new Error("boom");
      }, { durable: false }),
      store.events.enqueueGrouped(event("taken")), // the same id: refused by the table
      store.events.enqueueGrouped(event("last")),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    expect(store.events.due(10, 10, new Set()).map((each) => each.id).sort()).toEqual([
      "first",
      "last",
      "taken",
    ]);
  });

  test("a group whose database is closed rejects every write", async () => {
    const store = openStore(":memory:");
    const pending = store.events.enqueueGrouped(event("a"));
    store.close();
    await expect(pending).rejects.toThrow();
  });

  test("outcomes committed without a sync survive the process's kill -9", async () => {
    const path = join(tempDir("lambdalet-grouped-"), "state.db");
    const child = Bun.spawn({
      cmd: [
        process.execPath,
        "-e",
        `const { openStore } = await import(${JSON.stringify(STORE_MODULE)});
        const store = openStore(${JSON.stringify(path)});
        const event = (id) => ({ id, functionName: "fn", version: "$LATEST", invokedArn: "arn:fn",
          payload: new Uint8Array([1]), clientContext: null, enqueuedAt: 1 });
        await Promise.all(["a", "b", "c"].map((id) => store.events.enqueueGrouped(event(id))));
        await Promise.all([
          store.events.grouped(() => store.events.remove("a"), { durable: false }),
          store.events.grouped(() => store.events.retryLater("b", 1, 99, "failed"), { durable: false }),
        ]);
        process.kill(process.pid, "SIGKILL");`,
      ],
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await child.exited).not.toBe(0);
    expect(child.signalCode).toBe("SIGKILL");
    const store = openStore(path);
    try {
      expect(store.events.due(100, 10, new Set()).map(({ id, attempts }) => ({ id, attempts }))).toEqual([
        { id: "c", attempts: 0 },
        { id: "b", attempts: 1 },
      ]);
    } finally {
      store.close();
    }
  });
});
