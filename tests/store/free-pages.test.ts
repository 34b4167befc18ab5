/** @module Deleted code gives its pages back: the database file shrinks, older files switched to auto-vacuum once. */
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { join } from "node:path";
import { openStore, type Store } from "../../lib/store/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

const stores: Store[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function autoVacuum(store: Store): number {
  return store.db.query<{ auto_vacuum: number }, []>("PRAGMA auto_vacuum").get()!.auto_vacuum;
}

/** Stores 40 zips of 64 KB (random, as zips are), returns their keys and the file's size once checkpointed. */
function fill(store: Store, path: string): { keys: string[]; bytes: number } {
  const keys = Array.from({ length: 40 }, (_, i) => String(i).padStart(64, "0"));
  for (const key of keys) store.code.put(key, crypto.getRandomValues(new Uint8Array(64 * 1024)));
  store.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  return { keys, bytes: statSync(path).size };
}

describe("reclaiming free pages", () => {
  test("a new database uses incremental auto-vacuum, and deleting code shrinks its file at once", () => {
    const path = join(tempDir(), "db.sqlite");
    const store = openStore(path);
    stores.push(store);
    expect(autoVacuum(store)).toBe(2);
    const { keys, bytes } = fill(store, path);
    expect(store.code.delete(keys)).toBe(keys.length);
    expect(statSync(path).size).toBeLessThan(bytes / 10);
  });

  test("a database made before auto-vacuum is switched by one VACUUM at its first deletion", () => {
    const path = join(tempDir(), "db.sqlite");
    const old = new Database(path, { create: true });
    old.run("PRAGMA journal_mode = WAL");
    old.run("CREATE TABLE made_by_an_older_agent (x INTEGER)");
    old.close();
    const store = openStore(path);
    stores.push(store);
    expect(autoVacuum(store)).toBe(0);
    const { keys, bytes } = fill(store, path);
    store.code.delete(keys.slice(1));
    expect(autoVacuum(store)).toBe(2);
    expect(statSync(path).size).toBeLessThan(bytes / 10);
    expect(store.code.list()).toEqual([keys[0]!]);
  });
});
