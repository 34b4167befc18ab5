/** @module The provisioned concurrency repository: one row per function and qualifier, gone with the function. */
import { describe, expect, test } from "bun:test";
import { openStore, type Store } from "../../lib/store/mod.ts";
import { latestConfig } from "../helpers/function-configs.ts";

function storeWith(...names: string[]): Store {
  const store = openStore(":memory:");
  store.code.put("c0de", new Uint8Array([1]));
  for (const name of names) store.functions.create(latestConfig(name, { sha256: "c0de", size: 1 }), {});
  return store;
}

const at = "2026-01-02T03:04:05.678+0000";

describe("ProvisionedConcurrencyRepository", () => {
  test("put() replaces the configuration of the same qualifier; list() orders by qualifier", () => {
    const store = storeWith("fn");
    const repo = store.provisionedConcurrency;
    repo.put({ functionName: "fn", qualifier: "live", requested: 1, lastModified: at });
    repo.put({ functionName: "fn", qualifier: "2", requested: 3, lastModified: at });
    repo.put({ functionName: "fn", qualifier: "live", requested: 4, lastModified: at });
    expect(repo.get("fn", "live")).toEqual({
      functionName: "fn",
      qualifier: "live",
      requested: 4,
      lastModified: at,
    });
    expect(repo.list("fn").map((record) => [record.qualifier, record.requested])).toEqual([["2", 3], [
      "live",
      4,
    ]]);
    expect(repo.get("fn", "9")).toBeNull();
    store.close();
  });

  test("delete() says whether there was one; functionNames() lists the functions that have any", () => {
    const store = storeWith("a", "b");
    const repo = store.provisionedConcurrency;
    repo.put({ functionName: "b", qualifier: "1", requested: 1, lastModified: at });
    repo.put({ functionName: "a", qualifier: "1", requested: 1, lastModified: at });
    expect(repo.functionNames()).toEqual(["a", "b"]);
    expect(repo.delete("a", "1")).toBe(true);
    expect(repo.delete("a", "1")).toBe(false);
    expect(repo.functionNames()).toEqual(["b"]);
    store.close();
  });

  test("a function's configurations are deleted with it", () => {
    const store = storeWith("fn");
    store.provisionedConcurrency.put({ functionName: "fn", qualifier: "1", requested: 2, lastModified: at });
    expect(store.functions.deleteFunction("fn")).toBe(true);
    expect(store.provisionedConcurrency.list("fn")).toEqual([]);
    store.close();
  });
});
