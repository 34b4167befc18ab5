/**
 * @module The rollout controller against a real nats-server, with devices played by the test (their status written
 * with the deployer's credentials as the agents would): steps, completion, abort at the threshold, step timeouts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { NatsConnection } from "@nats-io/transport-node";
import { documentDigest } from "../../lib/fleet/desired-document.ts";
import { deployStable, type FleetStores, openFleetStores, readDesired } from "../../lib/fleet/deployer.ts";
import { openEnvelope } from "../../lib/fleet/envelope.ts";
import { parseDesiredKey, statusKey } from "../../lib/fleet/names.ts";
import { RolloutController } from "../../lib/fleet/rollout.ts";
import { parseRolloutSpec } from "../../lib/fleet/rollout-plan.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { handlerZip } from "../helpers/functions.ts";
import { connectDeployer, type Nats, NATS_SERVER, startNats } from "../helpers/nats.ts";

setDefaultTimeout(90_000);

if (!NATS_SERVER) {
  explainSkip("the fleet rollout tests", "nats-server is not installed (apt-get install nats-server)");
}

const GROUP = "plant-a";
const DEVICES = ["pi-01", "pi-02", "pi-03"];

function documentOf(tag: string): unknown {
  return {
    functions: [{
      FunctionName: "hello",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Code: {
        ZipFile: Buffer.from(handlerZip(`exports.handler = async () => "${tag}";`)).toString("base64"),
      },
    }],
  };
}

/** Devices played by the test: each reports what it selects for the group, failing the candidate when told. */
class PlayedDevices {
  readonly #stores: FleetStores;
  readonly #failing: Set<string>;
  readonly #silent: Set<string>;
  readonly #stop: () => void;
  readonly applied = new Map<string, string[]>();

  private constructor(stores: FleetStores, failing: string[], silent: string[], stop: () => void) {
    this.#stores = stores;
    this.#failing = new Set(failing);
    this.#silent = new Set(silent);
    this.#stop = stop;
  }

  static async start(
    stores: FleetStores,
    failing: string[] = [],
    silent: string[] = [],
  ): Promise<PlayedDevices> {
    const watch = await stores.desired.watch({ key: `group.${GROUP}.*` });
    const played = new PlayedDevices(stores, failing, silent, () => watch.stop());
    const state: { stable: { revision: number; payload: unknown } | null; rollout: typeof state.stable } = {
      stable: null,
      rollout: null,
    };
    await played.#reportAll(state);
    (async () => {
      for await (const entry of watch) {
        const kind = parseDesiredKey(entry.key)?.kind;
        if (!kind) continue;
        if (entry.operation !== "PUT") state[kind] = null;
        else {
          const opened = openEnvelope(entry.value, []);
          if (opened.ok) {
            state[kind] = {
              revision: entry.revision,
              payload: JSON.parse(new TextDecoder().decode(opened.payload)),
            };
          }
        }
        await played.#reportAll(state);
      }
    })();
    return played;
  }

  async #reportAll(state: {
    stable: { revision: number; payload: unknown } | null;
    rollout: { revision: number; payload: unknown } | null;
  }): Promise<void> {
    for (const device of DEVICES) {
      if (this.#silent.has(device) && this.applied.has(device)) continue;
      const rollout = state.rollout?.payload as
        | { document: unknown; rollout: { state: string; released: string[] } }
        | undefined;
      const released = rollout?.rollout.state === "IN_PROGRESS" && rollout.rollout.released.includes(device);
      const selected = released
        ? { key: "rollout", ...state.rollout! }
        : state.stable
        ? { key: "stable", ...state.stable }
        : null;
      const digest = selected ? documentDigest((selected.payload as { document: unknown }).document) : null;
      const fails = released && this.#failing.has(device);
      (this.applied.get(device) ?? this.applied.set(device, []).get(device)!).push(
        `${selected?.key}:${fails ? "FAILED" : "ok"}`,
      );
      await this.#stores.status.put(
        statusKey(device),
        JSON.stringify({
          format: "lambdalet-status/1",
          device,
          groups: [GROUP],
          agentVersion: "test",
          isolation: "NoContainer: played by the test",
          desired: { [GROUP]: selected ? { key: selected.key, revision: selected.revision, digest } : null },
          deployment: digest
            ? { digest, id: null, status: fails ? "ROLLED_BACK" : "COMPLETED", error: null, finishedAt: null }
            : null,
          functions: {},
          refused: [],
          reportedAt: new Date().toISOString(),
        }),
      );
    }
  }

  stop(): void {
    this.#stop();
  }
}

/** Starts a "1,all" rollout of `version`'s document with `controller` and drives it to its end. */
async function rollOut(
  controller: RolloutController,
  version: string,
  thresholdPercentage: number,
  stepTimeoutMinutes: number,
) {
  const started = await controller.start(GROUP, documentOf(version), {
    steps: parseRolloutSpec("1,all"),
    thresholdPercentage,
    stepTimeoutMinutes,
  });
  return { started, result: await controller.drive(GROUP, started.rollout.rolloutId) };
}

describe.skipIf(!NATS_SERVER)("RolloutController", () => {
  let nats: Nats;
  let nc: NatsConnection;
  let stores: FleetStores;
  let played: PlayedDevices | null = null;

  beforeAll(async () => {
    nats = await startNats({ devices: [], groupsOf: () => [] });
    nc = await connectDeployer(nats);
    stores = await openFleetStores(nc);
  });

  afterEach(async () => {
    played?.stop();
    played = null;
    for (const device of DEVICES) await stores.status.delete(statusKey(device));
  });

  afterAll(async () => {
    await nc?.close().catch(() => {});
    await nats?.stop();
  });

  test("releases the sorted devices step by step and makes the candidate stable at the end", async () => {
    await deployStable(stores, GROUP, documentOf("v1"));
    played = await PlayedDevices.start(stores);
    const lines: string[] = [];
    const controller = new RolloutController(stores, { signKey: null, log: (line) => lines.push(line) });
    const { started, result } = await rollOut(controller, "v2", 20, 5);
    expect(started.rollout.targets).toEqual(DEVICES);
    expect(started.rollout.released).toEqual(["pi-01"]);
    expect(result.state).toBe("COMPLETED");
    expect(result.outcomes).toEqual({ "pi-01": "SUCCEEDED", "pi-02": "SUCCEEDED", "pi-03": "SUCCEEDED" });
    const stable = await readDesired(stores.desired, GROUP, "stable");
    expect(documentDigest(stable!.payload.rawDocument)).toBe(started.digest);
    expect(await readDesired(stores.desired, GROUP, "rollout")).toBeNull();
    expect(lines.some((line) => line.includes("step 2 releases pi-01, pi-02, pi-03"))).toBe(true);
  });

  test("aborts at the threshold: the released device returns to stable, the others never take the candidate", async () => {
    await deployStable(stores, GROUP, documentOf("v3"));
    const before = await readDesired(stores.desired, GROUP, "stable");
    played = await PlayedDevices.start(stores, ["pi-01"]);
    const controller = new RolloutController(stores, { signKey: null });
    const { result } = await rollOut(controller, "v4", 20, 5);
    expect(result.state).toBe("ABORTED");
    expect(result.reason).toBe("1 of 1 executed device(s) failed (100%, threshold 20%)");
    expect(result.released).toEqual(["pi-01"]);
    const rollout = await readDesired(stores.desired, GROUP, "rollout");
    expect(rollout?.payload.rollout?.state).toBe("ABORTED");
    expect((await readDesired(stores.desired, GROUP, "stable"))?.revision).toBe(before!.revision);
    expect(played.applied.get("pi-01")?.at(-1)).toBe("stable:ok");
    expect(played.applied.get("pi-02")?.every((step) => !step.startsWith("rollout"))).toBe(true);
  });

  test("a released device that never executes times out and counts as a failure", async () => {
    await deployStable(stores, GROUP, documentOf("v5"));
    played = await PlayedDevices.start(stores, [], ["pi-01"]);
    const controller = new RolloutController(stores, { signKey: null });
    const { result } = await rollOut(controller, "v6", 50, 0.05);
    expect(result.state).toBe("ABORTED");
    expect(result.outcomes).toEqual({ "pi-01": "TIMED_OUT" });
  });

  test("refuses a second rollout while one is in progress", async () => {
    played = await PlayedDevices.start(stores, [], ["pi-01"]);
    const controller = new RolloutController(stores, { signKey: null });
    const plan = { steps: parseRolloutSpec("1,all"), thresholdPercentage: null, stepTimeoutMinutes: 5 };
    await controller.start(GROUP, documentOf("v7"), plan);
    await expect(controller.start(GROUP, documentOf("v8"), plan)).rejects.toThrow(/is already in progress/);
  });
});
