/** @module Deployments remember who asked for them: the latest completed one is looked up per origin. */
import { describe, expect, test } from "bun:test";
import { type DeploymentRecord, openStore } from "../../lib/store/mod.ts";

function record(id: string, createdAt: string, status: DeploymentRecord["status"]): DeploymentRecord {
  return {
    id,
    createdAt,
    status,
    policy: "ROLLBACK",
    functions: {},
    previous: {},
    error: null,
    functionStatus: {},
  };
}

describe("deployment origins", () => {
  test("a deployment is local unless recorded as the fleet's; latestCompleted() filters by origin when asked", () => {
    const store = openStore(":memory:");
    store.deployments.insert(record("l1", "2026-01-01T00:00:00.000Z", "COMPLETED"));
    store.deployments.insert(record("f1", "2026-01-02T00:00:00.000Z", "COMPLETED"), "fleet");
    store.deployments.insert(record("f2", "2026-01-03T00:00:00.000Z", "FAILED"), "fleet");
    expect(store.deployments.originOf("l1")).toBe("local");
    expect(store.deployments.originOf("f1")).toBe("fleet");
    expect(store.deployments.originOf("nope")).toBeNull();
    expect(store.deployments.latestCompleted()?.id).toBe("f1");
    expect(store.deployments.latestCompleted("local")?.id).toBe("l1");
    expect(store.deployments.latestCompleted("fleet")?.id).toBe("f1");
    expect(store.deployments.get("f1")).toEqual(record("f1", "2026-01-02T00:00:00.000Z", "COMPLETED"));
    store.close();
  });
});
