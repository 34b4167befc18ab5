/** @module Per-function uids: the lowest free uid of the range, once per name, kept in SQLite. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore, UidRangeFullError } from "../../lib/store/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

const RANGE = { first: 70000, count: 3 };

describe("FunctionUidRepository", () => {
  test("allocate() gives each name the lowest free uid of the range, and the same one again", () => {
    const store = openStore(":memory:");
    expect(store.functionUids.allocate("a", RANGE)).toBe(70000);
    expect(store.functionUids.allocate("b", RANGE)).toBe(70001);
    expect(store.functionUids.allocate("a", RANGE)).toBe(70000);
    expect(store.functionUids.get("b")).toBe(70001);
    expect(store.functionUids.get("c")).toBeNull();
    store.close();
  });

  test("allocate() skips the uids a host user or group holds", () => {
    const store = openStore(":memory:");
    expect(store.functionUids.allocate("a", RANGE, (uid) => uid === 70000)).toBe(70001);
    expect(store.functionUids.allocate("b", RANGE, (uid) => uid === 70000)).toBe(70002);
    store.close();
  });

  test("allocate() fails with UidRangeFullError naming the option once every uid is taken", () => {
    const store = openStore(":memory:");
    for (const name of ["a", "b", "c"]) store.functionUids.allocate(name, RANGE);
    expect(() => store.functionUids.allocate("d", RANGE)).toThrow(UidRangeFullError);
    expect(() => store.functionUids.allocate("d", RANGE)).toThrow("'functionUidRange' (70000-70002)");
    store.close();
  });

  test("allocate() moves a name whose uid lies outside a changed range into it, without touching the others", () => {
    const store = openStore(":memory:");
    store.functionUids.allocate("a", RANGE);
    store.functionUids.allocate("b", RANGE);
    const moved = { first: 80000, count: 10 };
    expect(store.functionUids.allocate("b", moved)).toBe(80000);
    expect(store.functionUids.get("a")).toBe(70000);
    store.close();
  });

  test("uids survive reopening the database", () => {
    const path = join(tempDir(), "db.sqlite");
    const store = openStore(path);
    store.functionUids.allocate("a", RANGE);
    store.functionUids.allocate("b", RANGE);
    store.close();
    const again = openStore(path);
    expect(again.functionUids.allocate("b", RANGE)).toBe(70001);
    expect(again.functionUids.allocate("c", RANGE)).toBe(70002);
    again.close();
  });
});
