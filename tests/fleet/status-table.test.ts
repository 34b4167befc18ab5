/** @module The status table: devices' reports read forgivingly, stale ones marked, rendered as a table or JSON. */
import { describe, expect, test } from "bun:test";
import type { KV, KvEntry } from "@nats-io/kv";
import { readStatuses, renderStatusTable, statusEntryOf, statusJson } from "../../lib/fleet/status-table.ts";

const NOW = Date.parse("2026-11-30T03:00:00Z");

function entry(
  key: string,
  value: unknown,
  secondsAgo: number,
  operation: KvEntry["operation"] = "PUT",
): KvEntry {
  const bytes = new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
  return {
    bucket: "lambdalet-status",
    key,
    value: bytes,
    created: new Date(NOW - secondsAgo * 1000),
    revision: 7,
    operation,
    length: bytes.byteLength,
    rawKey: `$KV.lambdalet-status.${key}`,
    json: <T>() => JSON.parse(new TextDecoder().decode(bytes)) as T,
    string: () => new TextDecoder().decode(bytes),
  };
}

const report = {
  format: "lambdalet-status/1",
  device: "pi-07",
  groups: ["plant-a", "cameras"],
  agentVersion: "0.1.0",
  isolation: "GreengrassContainer",
  desired: { "plant-a": { key: "rollout", revision: 15, digest: "a".repeat(64) }, cameras: null },
  deployment: { digest: "b".repeat(64), id: "d-1", status: "COMPLETED", error: null, finishedAt: null },
  functions: {
    hello: { version: "$LATEST", codeSha256: "c", state: "STARTED", lastError: null },
    broken: { version: "$LATEST", codeSha256: "d", state: "FAILED: init", lastError: "boom" },
  },
  refused: [{
    group: "cameras",
    key: "stable",
    revision: 9,
    reason: "the document is not signed",
    keyId: null,
  }],
  reportedAt: "2026-11-30T02:59:50Z",
};

describe("the status table", () => {
  test("reads a report and renders one row per device with its desired keys, functions and refusals", () => {
    const read = statusEntryOf(entry("device.pi-07", report, 10), NOW, 90_000)!;
    expect(read.stale).toBe(false);
    const table = renderStatusTable([read], NOW).split("\n");
    expect(table[0]).toMatch(
      /^DEVICE\s+GROUPS\s+DESIRED\s+DEPLOYMENT\s+FUNCTIONS\s+REFUSED\s+AGENT\s+ISOLATION\s+LAST SEEN$/,
    );
    expect(table[1]).toMatch(
      /^pi-07\s+plant-a,cameras\s+plant-a:rollout@15 cameras:-\s+COMPLETED\s+1\/2\s+cameras:stable@9\s+0\.1\.0\s+GreengrassContainer\s+10s ago$/,
    );
  });

  test("marks a device silent past the timeout STALE", () => {
    const read = statusEntryOf(entry("device.pi-07", report, 600), NOW, 90_000)!;
    expect(read.stale).toBe(true);
    expect(renderStatusTable([read], NOW)).toContain("STALE (10m ago)");
  });

  test("shows a report it cannot read instead of hiding the device", () => {
    const read = statusEntryOf(entry("device.pi-08", "not json", 1), NOW, 90_000)!;
    expect(read.status).toBeNull();
    expect(renderStatusTable([read], NOW)).toContain("unreadable status: not JSON");
  });

  test("ignores deleted keys and keys that are not a device's", () => {
    expect(statusEntryOf(entry("device.pi-07", "", 1, "DEL"), NOW, 90_000)).toBeNull();
    expect(statusEntryOf(entry("other.key", report, 1), NOW, 90_000)).toBeNull();
  });

  test("the JSON form carries each report with when it was last seen", () => {
    const read = statusEntryOf(entry("device.pi-07", report, 10), NOW, 90_000)!;
    expect(statusJson([read])).toEqual([{
      device: "pi-07",
      lastSeen: "2026-11-30T02:59:50.000Z",
      stale: false,
      revision: 7,
      status: expect.objectContaining({ device: "pi-07", groups: ["plant-a", "cameras"] }),
    }]);
  });
});

/**
 * A listing of keys as the hub hands it: the keys, or (stalled) nothing until it is stopped. A stall of the hub's
 * ordered consumer cannot be made on demand with a real nats-server, so the bucket here is a stand-in.
 */
function listing(keys: string[] | "stalled") {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  return {
    stop: () => stop(),
    async *[Symbol.asyncIterator]() {
      if (keys === "stalled") {
        await stopped;
        return;
      }
      yield* keys;
    },
  };
}

describe("readStatuses on a hub whose listing stalls", () => {
  const bucket = (listings: (string[] | "stalled")[]) => {
    let made = 0;
    return {
      keys: () => Promise.resolve(listing(listings[Math.min(made++, listings.length - 1)]!)),
      get: (key: string) => Promise.resolve(entry(key, { ...report, device: key.slice(7) }, 1)),
      get listings() {
        return made;
      },
    };
  };

  test("a listing that does not end in time is made again", async () => {
    const kv = bucket(["stalled", ["device.pi-07", "device.pi-08"]]);
    const read = await readStatuses(kv as unknown as KV, { listTimeoutMs: 50 });
    expect(read.map((item) => item.device)).toEqual(["pi-07", "pi-08"]);
    expect(kv.listings).toBe(2);
  });

  test("after three stalled listings it fails with a message instead of waiting for good", async () => {
    const kv = bucket(["stalled"]);
    await expect(readStatuses(kv as unknown as KV, { listTimeoutMs: 50 })).rejects.toThrow(
      "the hub did not finish a listing within 50 ms, 3 times",
    );
    expect(kv.listings).toBe(3);
  });
});
