import { describe, expect, test } from "bun:test";
import { openStore } from "../../lib/store/mod.ts";
import { latestConfig } from "../helpers/function-configs.ts";

function storeWithFunction() {
  const store = openStore(":memory:");
  store.code.put("c0de", new Uint8Array([1]));
  store.functions.create(latestConfig("fn", { sha256: "c0de", size: 1 }), {});
  return store;
}

describe("ScheduleFireRepository", () => {
  test("ensure() keeps the first anchor and recordFire() the last time", () => {
    const store = storeWithFunction();
    expect(store.scheduleFires.ensure("fn", "0|UTC|rate(1 minute)", 1000)).toEqual({
      functionName: "fn",
      scheduleKey: "0|UTC|rate(1 minute)",
      anchorAt: 1000,
      lastFireAt: null,
    });
    store.scheduleFires.recordFire("fn", "0|UTC|rate(1 minute)", 61_000);
    expect(store.scheduleFires.ensure("fn", "0|UTC|rate(1 minute)", 9999)).toMatchObject({
      anchorAt: 1000,
      lastFireAt: 61_000,
    });
    store.close();
  });

  test("keepOnly() drops the schedules a function no longer has, and rows go with their function", () => {
    const store = storeWithFunction();
    store.scheduleFires.ensure("fn", "a", 1);
    store.scheduleFires.ensure("fn", "b", 1);
    store.scheduleFires.keepOnly("fn", ["b"]);
    const keys = () => store.db.query("SELECT schedule_key FROM schedule_fires").all();
    expect(keys()).toEqual([{ schedule_key: "b" }]);
    store.functions.deleteFunction("fn");
    expect(keys()).toEqual([]);
    store.close();
  });
});
