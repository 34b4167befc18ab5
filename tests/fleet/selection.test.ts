/** @module What a device runs of its groups: stable or its released rollout, merged in group order. */
import { describe, expect, test } from "bun:test";
import {
  DESIRED_FORMAT,
  documentDigest,
  parseDesiredPayload,
  type Rollout,
} from "../../lib/fleet/desired-document.ts";
import {
  type AcceptedPayload,
  type GroupDesired,
  mergeDesired,
  selectGroup,
} from "../../lib/fleet/selection.ts";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

function fn(name: string, sha256: string, extra: Record<string, unknown> = {}) {
  return {
    FunctionName: name,
    Runtime: "nodejs20.x",
    Handler: "index.handler",
    Code: { Sha256: sha256 },
    ...extra,
  };
}

function accepted(
  group: string,
  kind: "stable" | "rollout",
  revision: number,
  document: Record<string, unknown>,
  rollout: Rollout | null = null,
): AcceptedPayload {
  const bytes = new TextEncoder().encode(JSON.stringify({
    format: DESIRED_FORMAT,
    group,
    key: kind,
    issuedAt: "2026-11-30T00:00:00Z",
    document,
    rollout,
  }));
  const payload = parseDesiredPayload(bytes, group, kind);
  return { revision, payload, digest: documentDigest(payload.rawDocument) };
}

function rolloutOf(state: Rollout["state"], released: string[]): Rollout {
  return {
    rolloutId: "r1",
    state,
    steps: [{ count: 1 }, { all: true }],
    step: 0,
    targets: ["pi-01", "pi-02"],
    released,
    abortConfig: { criteriaList: [] },
    timeoutConfig: { inProgressTimeoutInMinutes: 10 },
    reason: null,
  };
}

describe("selectGroup()", () => {
  const stable = accepted("plant-a", "stable", 3, { functions: [fn("hello", SHA_A)] });

  test("takes the stable document when there is no rollout", () => {
    expect(selectGroup({ stable, rollout: null }, "pi-01")).toBe(stable);
    expect(selectGroup({ stable: null, rollout: null }, "pi-01")).toBeNull();
    expect(selectGroup(undefined, "pi-01")).toBeNull();
  });

  test("takes a rollout's candidate only while it is IN_PROGRESS and has released this device", () => {
    const candidate = { functions: [fn("hello", SHA_B)] };
    const running = accepted("plant-a", "rollout", 4, candidate, rolloutOf("IN_PROGRESS", ["pi-01"]));
    expect(selectGroup({ stable, rollout: running }, "pi-01")).toBe(running);
    expect(selectGroup({ stable, rollout: running }, "pi-02")).toBe(stable);
    const aborted = accepted("plant-a", "rollout", 5, candidate, rolloutOf("ABORTED", ["pi-01"]));
    expect(selectGroup({ stable, rollout: aborted }, "pi-01")).toBe(stable);
    const completed = accepted(
      "plant-a",
      "rollout",
      6,
      candidate,
      rolloutOf("COMPLETED", ["pi-01", "pi-02"]),
    );
    expect(selectGroup({ stable, rollout: completed }, "pi-01")).toBe(stable);
  });
});

describe("mergeDesired()", () => {
  test("unites the groups' functions; a function both name takes the later group's entry", () => {
    const desired = new Map<string, GroupDesired>([
      ["plant-a", {
        stable: accepted("plant-a", "stable", 3, {
          failureHandlingPolicy: "DO_NOTHING",
          functions: [fn("hello", SHA_A), fn("shared", SHA_A, { Timeout: 3 })],
        }),
        rollout: null,
      }],
      ["cameras", {
        stable: accepted("cameras", "stable", 9, {
          failureHandlingPolicy: "DO_NOTHING",
          functions: [fn("shared", SHA_B, { Timeout: 9 }), fn("camera", SHA_B)],
        }),
        rollout: null,
      }],
    ]);
    const merged = mergeDesired(["plant-a", "cameras"], desired, "pi-07");
    expect(merged.document.functions.map((entry) => "FunctionName" in entry && entry.FunctionName)).toEqual([
      "hello",
      "shared",
      "camera",
    ]);
    expect(merged.document.functions[1]).toMatchObject({ Timeout: 9, Code: { Sha256: SHA_B } });
    expect(merged.document.failureHandlingPolicy).toBe("DO_NOTHING");
    expect(merged.functionCount).toBe(3);
    expect(merged.selections).toEqual({
      "plant-a": { key: "stable", revision: 3, digest: desired.get("plant-a")!.stable!.digest },
      cameras: { key: "stable", revision: 9, digest: desired.get("cameras")!.stable!.digest },
    });
    // the other order: plant-a's entry wins
    const reversed = mergeDesired(["cameras", "plant-a"], desired, "pi-07");
    expect(
      reversed.document.functions.find((entry) => "FunctionName" in entry && entry.FunctionName === "shared"),
    )
      .toMatchObject({ Timeout: 3 });
    expect(reversed.digest).not.toBe(merged.digest);
  });

  test("ROLLBACK when any contributing document asks for it (the default)", () => {
    const desired = new Map<string, GroupDesired>([
      ["a", {
        stable: accepted("a", "stable", 1, { failureHandlingPolicy: "DO_NOTHING", functions: [] }),
        rollout: null,
      }],
      ["b", { stable: accepted("b", "stable", 1, { functions: [fn("x", SHA_A)] }), rollout: null }],
    ]);
    expect(mergeDesired(["a", "b"], desired, "d").document.failureHandlingPolicy).toBe("ROLLBACK");
    expect(mergeDesired(["a"], desired, "d").document.failureHandlingPolicy).toBe("ROLLBACK"); // nothing to run
  });

  test("the same content has the same digest; a group without a document contributes nothing", () => {
    const one = new Map<string, GroupDesired>([
      ["a", { stable: accepted("a", "stable", 1, { functions: [fn("x", SHA_A)] }), rollout: null }],
    ]);
    const again = new Map<string, GroupDesired>([
      ["a", { stable: accepted("a", "stable", 7, { functions: [fn("x", SHA_A)] }), rollout: null }],
      ["b", { stable: null, rollout: null }],
    ]);
    const first = mergeDesired(["a", "b"], one, "d");
    const second = mergeDesired(["a", "b"], again, "d");
    expect(second.digest).toBe(first.digest);
    expect(second.selections.b).toBeNull();
    expect(second.selections.a?.revision).toBe(7);
    expect(mergeDesired(["a", "b"], new Map(), "d")).toMatchObject({
      functionCount: 0,
      selections: { a: null, b: null },
    });
  });

  test("a released device merges the rollout's candidate; an unreleased one the group's stable", () => {
    const desired = new Map<string, GroupDesired>([
      ["a", {
        stable: accepted("a", "stable", 1, { functions: [fn("x", SHA_A)] }),
        rollout: accepted(
          "a",
          "rollout",
          2,
          { functions: [fn("x", SHA_B)] },
          rolloutOf("IN_PROGRESS", ["pi-01"]),
        ),
      }],
    ]);
    expect(mergeDesired(["a"], desired, "pi-01").selections.a).toMatchObject({ key: "rollout", revision: 2 });
    expect(mergeDesired(["a"], desired, "pi-02").selections.a).toMatchObject({ key: "stable", revision: 1 });
  });
});
