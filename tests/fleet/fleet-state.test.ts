/** @module The fleet state file: 0600, written whole by rename, read back only when valid and this device's. */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  emptyFleetState,
  FLEET_STATE_FILE,
  type FleetStateData,
  FleetStateFile,
} from "../../lib/fleet/fleet-state.ts";
import { tempDir } from "../helpers/agent-process.ts";

const state: FleetStateData = {
  ...emptyFleetState("pi-07"),
  groups: { "plant-a": { stable: { revision: 3, envelope: "eyJ9" }, rollout: null } },
  refused: [{
    group: "plant-a",
    key: "stable",
    revision: 4,
    reason: "the document is not signed",
    keyId: null,
    at: "2026-11-30T00:00:00.000Z",
  }],
  lastAttempt: {
    digest: "d".repeat(64),
    selections: { "plant-a": { key: "stable", revision: 3, digest: "e".repeat(64) } },
    deploymentId: "dep-1",
    status: "COMPLETED",
    error: null,
    finishedAt: "2026-11-30T00:00:01.000Z",
  },
};

describe("FleetStateFile", () => {
  test("saves the state readable by its owner only, with no temporary file left, and loads it back", () => {
    const dir = tempDir();
    const file = new FleetStateFile(dir);
    file.save(state);
    expect(file.path).toBe(join(dir, FLEET_STATE_FILE));
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([FLEET_STATE_FILE]);
    expect(file.load("pi-07")).toEqual(state);
    file.save({ ...state, refused: [] });
    expect(file.load("pi-07").refused).toEqual([]);
    expect(JSON.parse(readFileSync(file.path, "utf8")).format).toBe("lambdalet-fleet-state/1");
  });

  test("starts empty without a file, and says why for a broken file or another device's", () => {
    const dir = tempDir();
    const file = new FleetStateFile(dir);
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    expect(file.load("pi-07", warn)).toEqual(emptyFleetState("pi-07"));
    expect(warnings).toEqual([]);
    writeFileSync(file.path, "{not json");
    expect(file.load("pi-07", warn)).toEqual(emptyFleetState("pi-07"));
    writeFileSync(file.path, JSON.stringify({ ...state, lastAttempt: { digest: 1 } }));
    expect(file.load("pi-07", warn)).toEqual(emptyFleetState("pi-07"));
    file.save(state);
    expect(file.load("pi-08", warn)).toEqual(emptyFleetState("pi-08"));
    expect(warnings).toEqual([
      `lambdalet: fleet: ${file.path} is not JSON: starting from an empty fleet state`,
      `lambdalet: fleet: ${file.path} is not a fleet state file: starting from an empty fleet state`,
      `lambdalet: fleet: ${file.path} is device pi-07's: starting from an empty fleet state`,
    ]);
  });
});
