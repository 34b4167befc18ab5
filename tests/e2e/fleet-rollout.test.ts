/**
 * @module Fleet rollouts end to end: `fleet deploy --rollout 1,all --abort-threshold 20%` of a pinned function over
 * three agents of one group. A candidate that fails on one device rolls back there, the rollout is aborted and the
 * devices that took it return to the previous revision; a candidate that works ends on every device and becomes the
 * group's stable document.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { documentDigest } from "../../lib/fleet/desired-document.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { runCli } from "../helpers/cli.ts";
import {
  type DesiredEntry,
  type DeviceStatus,
  sha256Hex,
  startTestFleet,
  type TestFleet,
} from "../helpers/fleet.ts";
import { eventually, invoke, readJson } from "../helpers/functions.ts";
import { NATS_SERVER } from "../helpers/nats.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";

setDefaultTimeout(300_000);

/** How long a device may take to apply a deployment of a pinned node function on a busy 2-core machine. */
const CONVERGE_MS = 120_000;

/** Sorted by name, as a rollout releases them: line-1 in the first step, line-2 and line-3 in the second. */
const GROUPS = { "line-1": ["line"], "line-2": ["line"], "line-3": ["line"] };

/** What `fleet deploy --rollout` prints when the rollout ends. */
interface RolloutPrinted {
  State: string;
  Reason: string | null;
  Released: string[];
  Outcomes: Record<string, string>;
}

/** The marker only line-2's data dir holds: the candidate's pinned worker fails its init where it finds it. */
const MARKER = "refuse-candidate";

/**
 * A pinned handler answering `answer`; with `failWhereMarked` its init throws on a device whose data dir holds
 * {@linkcode MARKER} (its code is `<data dir>/code/<sha256>`, so the data dir is two folders up).
 */
function model(answer: string, failWhereMarked = false): string {
  const check = failWhereMarked
    ? `const marker = require("node:path").join(process.env.LAMBDA_TASK_ROOT, "..", "..", process.env.MARKER);
if (require("node:fs").existsSync(marker)) throw new Error("this device refuses the candidate");
`
    : "";
  return `${check}exports.handler = async () => ({ answer: ${JSON.stringify(answer)} });\n`;
}

if (!NATS_SERVER) {
  explainSkip(
    "the fleet rollout tests",
    "nats-server is not installed (apt-get install nats-server, as root)",
  );
}

describe.skipIf(!NATS_SERVER)("fleet rollouts", () => {
  let fleet: TestFleet;
  let stable: DesiredEntry;
  const work = workerWritableDir("lambdalet-rollout-");
  const devices = Object.keys(GROUPS);

  const document = (version: string, failWhereMarked = false) =>
    fleet.document(`line-${version}`, [{
      name: "model",
      source: model(`model ${version}`, failWhereMarked),
      extra: {
        Edge: { pinned: true, statusTimeoutInSeconds: 60 },
        Environment: { Variables: { MARKER } },
      },
    }]);
  const answerOf = async (device: string): Promise<string | number> => {
    const response = await invoke(fleet.devices[device]!.running().url, "model", "{}");
    return response.status === 200 ? (await readJson<{ answer: string }>(response)).answer : response.status;
  };
  /** Waits until `device` runs `digest` of the group `line` (a completed deployment of it, as its status says). */
  const runs = (device: string, digest: string): Promise<DeviceStatus> =>
    eventually(async () => {
      const status = await fleet.status(device);
      return status?.desired.line?.digest === digest && status.deployment?.status === "COMPLETED"
        ? status
        : undefined;
    }, CONVERGE_MS);

  beforeAll(async () => {
    fleet = await startTestFleet({ work, devices: GROUPS });
    writeFileSync(join(fleet.devices["line-2"]!.dataDir, MARKER), "");
    stable = await fleet.deploy("line", document("v1"));
    const digest = documentDigest(stable.parsed.rawDocument);
    for (const device of devices) await runs(device, digest);
  }, 300_000);

  /** `fleet deploy` of `file` to the group in two steps (line-1 first), aborted at 20% failures. */
  const rollOut = (file: string) =>
    fleet.cli([
      "deploy",
      "--group",
      "line",
      file,
      "--sign-key",
      fleet.signKey,
      "--rollout",
      "1,all",
      "--abort-threshold",
      "20%",
      "--step-timeout",
      "2m", // two steps end within the test's 300 s even if one times out: a clear ABORTED, not a test timeout
    ]);

  afterAll(async () => {
    await fleet?.close();
  });

  test("a candidate that fails on one device rolls back there, aborts the rollout and the others return to the previous revision", async () => {
    const result = await rollOut(document("v2", true));
    expect(result.code).toBe(1);
    const printed = JSON.parse(result.stdout) as RolloutPrinted;
    expect(printed.State).toBe("ABORTED");
    expect(printed.Reason).toMatch(/failed/);
    // line-1 alone in the first step ran it; line-2, released in the second, failed it
    expect(printed.Outcomes["line-1"]).toBe("SUCCEEDED");
    expect(printed.Outcomes["line-2"]).toBe("FAILED");

    const rollout = await fleet.desired("line", "rollout");
    expect(rollout?.parsed.rollout?.state).toBe("ABORTED");
    expect(rollout!.parsed.rollout!.released).toContain("line-1");
    expect(rollout!.parsed.rollout!.released).toContain("line-2");
    // the stable key was not touched
    expect((await fleet.desired("line", "stable"))!.revision).toBe(stable.revision);

    const digest = documentDigest(stable.parsed.rawDocument);
    for (const device of devices) {
      await runs(device, digest);
      expect(await answerOf(device)).toBe("model v1");
    }
    // line-2 tried the candidate and rolled it back itself; line-1 ran it before the abort took it back
    const history = async (device: string) => {
      const listed = await runCli([
        "deployments",
        "list",
        "--endpoint-url",
        fleet.devices[device]!.running().url,
      ]);
      return (JSON.parse(listed.stdout) as { Deployments: { Status: string }[] }).Deployments.map((item) =>
        item.Status
      );
    };
    expect(await history("line-2")).toContain("ROLLED_BACK");
    expect((await history("line-1")).filter((status) => status === "COMPLETED").length)
      .toBeGreaterThanOrEqual(3);
  });

  test("a candidate that works reaches every device step by step and becomes the group's stable document", async () => {
    rmSync(join(fleet.devices["line-2"]!.dataDir, MARKER));
    const path = document("v3");
    const result = await rollOut(path);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as RolloutPrinted;
    expect(printed.State).toBe("COMPLETED");
    expect(printed.Outcomes).toEqual({ "line-1": "SUCCEEDED", "line-2": "SUCCEEDED", "line-3": "SUCCEEDED" });

    const next = await fleet.desired("line", "stable");
    expect(next!.revision).toBeGreaterThan(stable.revision);
    const code = sha256Hex(readFileSync(join(work, "line-v3-model.zip")));
    expect(next!.parsed.document.functions).toMatchObject([{
      FunctionName: "model",
      Code: { Sha256: code },
    }]);
    // the rollout is over: its key is deleted or says COMPLETED
    const rollout = await fleet.desired("line", "rollout");
    if (rollout) expect(rollout.parsed.rollout?.state).toBe("COMPLETED");

    const digest = documentDigest(next!.parsed.rawDocument);
    for (const device of devices) {
      await runs(device, digest);
      expect(await answerOf(device)).toBe("model v3");
    }
    stable = next!;
  });
});
