/** @module Desired events on the device: refusal reasons stay short whatever the refused value holds. */
import { describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { MAX_REASON_CHARS, recordDesiredEvent, restoreDesired } from "../../lib/fleet/accepted-desired.ts";
import { DESIRED_FORMAT } from "../../lib/fleet/desired-document.ts";
import { openDesired } from "../../lib/fleet/desired-watcher.ts";
import { sealEnvelope } from "../../lib/fleet/envelope.ts";
import { emptyFleetState } from "../../lib/fleet/fleet-state.ts";

const signing = generateKeyPairSync("ed25519");
const options = { groups: ["plant-a"], publicKeys: [signing.publicKey] };

function stable(extra: Record<string, unknown> = {}): Uint8Array {
  return sealEnvelope(
    new TextEncoder().encode(JSON.stringify({
      format: DESIRED_FORMAT,
      group: "plant-a",
      key: "stable",
      issuedAt: new Date().toISOString(),
      document: { functions: [] },
      rollout: null,
      ...extra,
    })),
    signing.privateKey,
  );
}

function setUp() {
  const state = emptyFleetState("pi-07");
  const warnings: string[] = [];
  const desired = restoreDesired(options, state, (line) => warnings.push(line));
  return { state, warnings, desired, warn: (line: string) => warnings.push(line) };
}

describe("recordDesiredEvent()", () => {
  test("a refusal quoting a huge value keeps a short reason (the status report stays under the hub's payload)", () => {
    const { state, desired, warnings, warn } = setUp();
    const huge = "A".repeat(500_000);
    const event = openDesired(
      stable({ format: huge }),
      { group: "plant-a", kind: "stable", revision: 4 },
      options.publicKeys,
    );
    expect(event.type).toBe("refused");
    recordDesiredEvent(event, desired, state, warn);
    expect(state.refused).toHaveLength(1);
    expect(state.refused[0]!.reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS + 1);
    expect(state.refused[0]!.reason).toStartWith("the document is not a lambdalet fleet document (format:");
    expect(warnings.join("\n").length).toBeLessThan(MAX_REASON_CHARS + 200);
  });
});
