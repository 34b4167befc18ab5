/**
 * @module The fleet end to end: a real nats-server with JetStream, three agents in data dirs of their own joining two
 * groups (pi-a: plant-a; pi-b: plant-a then cameras; pi-c: cameras), `lambdalet fleet deploy|status|invoke` with the
 * deployer's credentials and signing key. Agents that start before the hub, a device killed during a deployment
 * and one stopped across one, the hub's restart, refused documents, remote invokes and NATS permissions between
 * devices.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PermissionViolationError } from "@nats-io/transport-node";
import { connectFleet } from "../../lib/fleet/connection.ts";
import { buildZip } from "../../lib/code/mod.ts";
import { readPrivateKey, sealEnvelope } from "../../lib/fleet/envelope.ts";
import { desiredKey, invokeSubject } from "../../lib/fleet/names.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { runCli } from "../helpers/cli.ts";
import {
  answering,
  type DesiredEntry,
  type DeviceStatus,
  startTestFleet,
  type TestFleet,
} from "../helpers/fleet.ts";
import { deploy, eventually, invoke, readJson } from "../helpers/functions.ts";
import { NATS_SERVER } from "../helpers/nats.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";

setDefaultTimeout(180_000);

/** How long a device may take to apply a deployment of node functions on a busy 2-core machine. */
const CONVERGE_MS = 90_000;

/** How long the slow pinned function's init takes: the window in which an agent is killed mid-deployment. */
const SLOW_INIT_MS = 4000;

const GROUPS = { "pi-a": ["plant-a"], "pi-b": ["plant-a", "cameras"], "pi-c": ["cameras"] };

interface Answer {
  answer: string;
  event: unknown;
}

if (!NATS_SERVER) {
  explainSkip("the fleet tests", "nats-server is not installed (apt-get install nats-server, as root)");
}

describe.skipIf(!NATS_SERVER)("a fleet of three agents", () => {
  let fleet: TestFleet;
  const work = workerWritableDir("lambdalet-fleet-");
  const agentOf = (device: string) => fleet.devices[device]!.running();
  const answerOf = async (device: string, fn: string): Promise<string | number> => {
    const response = await invoke(agentOf(device).url, fn, "{}");
    if (response.status !== 200) return response.status;
    return (await readJson<Answer>(response)).answer;
  };

  /**
   * Waits until `device` reports a completed deployment of the given revisions of its groups' keys, and its
   * functions answer as `answers` says (a number: the HTTP status, e.g. 404 for a function it must not have).
   */
  async function converged(
    device: string,
    revisions: Record<string, DesiredEntry>,
    answers: Record<string, string | number>,
  ): Promise<DeviceStatus> {
    const status = await eventually(async () => {
      const status = await fleet.status(device);
      if (status?.deployment?.status !== "COMPLETED") return undefined;
      const current = Object.entries(revisions).every(([group, entry]) =>
        status.desired[group]?.revision === entry.revision
      );
      return current ? status : undefined;
    }, CONVERGE_MS);
    for (const [fn, expected] of Object.entries(answers)) expect(await answerOf(device, fn)).toBe(expected);
    return status;
  }

  const plantA = (version: string) =>
    fleet.document(`plant-a-${version}`, [
      { name: "greet", source: answering(`plant-a ${version}`) },
      { name: "shared", source: answering("from plant-a") },
      {
        name: "hello",
        source: `exports.handler = async (event) => {
  console.log("hello from the device", JSON.stringify(event));
  return { hello: event.name };
};
`,
      },
      {
        name: "fails",
        source: `exports.handler = async () => {
  const error = new Error("the sensor is unplugged");
  error.name = "SensorError";
  throw error;
};
`,
      },
    ]);
  const cameras = (version: string, slowInitMs = 0) =>
    fleet.document(`cameras-${version}`, [
      { name: "camera", source: answering(`cameras ${version}`) },
      { name: "shared", source: answering("from cameras") },
      ...(slowInitMs > 0
        ? [{
          name: "warmup",
          // blocks its init (a model loading, say): the deployment waits for it, pinned
          source: `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${slowInitMs});
exports.handler = async () => ({ answer: "warm" });
`,
          extra: { Edge: { pinned: true, statusTimeoutInSeconds: 120 } },
        }]
        : []),
    ]);

  let plantAStable: DesiredEntry;
  let camerasStable: DesiredEntry;

  beforeAll(async () => {
    fleet = await startTestFleet({ work, devices: GROUPS, hubAfterAgents: true });
    for (const device of Object.keys(GROUPS)) {
      await deploy(agentOf(device).url, {
        FunctionName: "local-only",
        Runtime: "nodejs20.x",
        Role: "arn:aws:iam::000000000000:role/test",
        Handler: "index.handler",
        Code: {
          ZipFile: Buffer.from(buildZip({ "index.js": answering(`local ${device}`) })).toString("base64"),
        },
      });
    }
  }, 180_000);

  afterAll(async () => {
    await fleet?.close();
  });

  test("agents started before the hub work locally, and join the fleet when it starts", async () => {
    for (const device of Object.keys(GROUPS)) {
      expect(await answerOf(device, "local-only")).toBe(`local ${device}`);
    }
    await fleet.startHub();
    plantAStable = await fleet.deploy("plant-a", plantA("v1"));
    const plantAnswers = { greet: "plant-a v1", shared: "from plant-a" };
    await converged("pi-a", { "plant-a": plantAStable }, plantAnswers);
    await converged("pi-b", { "plant-a": plantAStable }, plantAnswers);
    // pi-c is in no group deployed yet: it reports itself all the same (its heartbeat)
    const c = await eventually(() => fleet.status("pi-c").then((status) => status ?? undefined), CONVERGE_MS);
    expect(c.groups).toEqual(["cameras"]);
    expect(await answerOf("pi-c", "greet")).toBe(404);
    // a fleet deployment leaves the functions a device was given locally
    for (const device of Object.keys(GROUPS)) {
      expect(await answerOf(device, "local-only")).toBe(`local ${device}`);
    }

    const shown = await fleet.cli(["status"]);
    expect(shown.code).toBe(0);
    for (const device of ["pi-a", "pi-b"]) {
      const line = shown.stdout.split("\n").find((text) => text.startsWith(device));
      expect(line).toContain(`plant-a:stable@${plantAStable.revision}`);
    }
    const json = await fleet.cli(["status", "--group", "plant-a", "--output", "json"]);
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { device: string; stale: boolean }[];
    expect(listed.map((item) => item.device)).toEqual(["pi-a", "pi-b"]);
    expect(listed.every((item) => !item.stale)).toBe(true);
  });

  test("a deployment to cameras reaches pi-b and pi-c; pi-b runs both groups, cameras' shared function (listed later)", async () => {
    camerasStable = await fleet.deploy("cameras", cameras("v1"));
    await converged("pi-b", { "plant-a": plantAStable, cameras: camerasStable }, {
      greet: "plant-a v1",
      camera: "cameras v1",
      shared: "from cameras",
    });
    await converged("pi-c", { cameras: camerasStable }, {
      camera: "cameras v1",
      shared: "from cameras",
      greet: 404,
    });
    // pi-a is not in cameras: unchanged
    expect(await answerOf("pi-a", "shared")).toBe("from plant-a");
    expect(await answerOf("pi-a", "camera")).toBe(404);
  });

  test("an agent killed during a deployment converges after its restart", async () => {
    // a pinned function whose init takes seconds keeps the deployment under way long enough to kill the agent in it
    camerasStable = await fleet.deploy("cameras", cameras("v2", SLOW_INIT_MS));
    await eventually(async () => {
      const status = await fleet.status("pi-c");
      // recorded by the engine (it has an id) and not finished
      const started = status?.desired.cameras?.revision === camerasStable.revision &&
        status.deployment?.status === "IN_PROGRESS" && status.deployment.id !== null;
      return started || undefined;
    }, CONVERGE_MS);
    await fleet.devices["pi-c"]!.kill();
    await converged("pi-b", { "plant-a": plantAStable, cameras: camerasStable }, {
      camera: "cameras v2",
      warmup: "warm",
    });
    await fleet.devices["pi-c"]!.start();
    await converged("pi-c", { cameras: camerasStable }, {
      camera: "cameras v2",
      shared: "from cameras",
      warmup: "warm",
    });
    // the deployment the kill interrupted was rolled back at the start, then the same one applied again
    const listed = await runCli(["deployments", "list", "--endpoint-url", agentOf("pi-c").url]);
    const statuses = (JSON.parse(listed.stdout) as { Deployments: { Status: string; Error?: string }[] })
      .Deployments;
    expect(statuses[0]!.Status).toBe("COMPLETED");
    expect(statuses[1]).toMatchObject({
      Status: "ROLLED_BACK",
      Error: expect.stringContaining("interrupted"),
    });
  });

  test("an agent stopped while a deployment is written takes it after its restart", async () => {
    await fleet.devices["pi-c"]!.stop();
    camerasStable = await fleet.deploy("cameras", cameras("v3"));
    await converged("pi-b", { "plant-a": plantAStable, cameras: camerasStable }, { camera: "cameras v3" });
    await fleet.devices["pi-c"]!.start();
    await converged("pi-c", { cameras: camerasStable }, { camera: "cameras v3", shared: "from cameras" });
  });

  test("after the hub stops and starts again, the agents watch on without a restart and take a new deployment", async () => {
    const pids = Object.fromEntries(Object.keys(GROUPS).map((device) => [device, agentOf(device).proc.pid]));
    await fleet.hub.stop();
    // the agents keep serving while the hub is down
    expect(await answerOf("pi-a", "greet")).toBe("plant-a v1");
    await fleet.startHub();
    plantAStable = await fleet.deploy("plant-a", plantA("v2"));
    await converged("pi-a", { "plant-a": plantAStable }, { greet: "plant-a v2" });
    await converged("pi-b", { "plant-a": plantAStable, cameras: camerasStable }, {
      greet: "plant-a v2",
      shared: "from cameras",
    });
    camerasStable = await fleet.deploy("cameras", cameras("v4"));
    await converged("pi-c", { cameras: camerasStable }, { camera: "cameras v4" });
    for (const device of Object.keys(GROUPS)) {
      expect(agentOf(device).proc.pid).toBe(pids[device]!);
      expect(agentOf(device).proc.exitCode).toBeNull();
    }
  });

  test("a tampered and an unsigned document are refused and reported; the devices keep what they run", async () => {
    const kv = await fleet.desiredBucket();
    const before = await fleet.status("pi-a");
    const good = await fleet.desired("plant-a", "stable");
    const envelope = JSON.parse(new TextDecoder().decode(good!.bytes)) as { payload: string };
    const payload = JSON.parse(new TextDecoder().decode(good!.payload)) as {
      document: { functions: Record<string, unknown>[] };
    };
    payload.document.functions[0]!.Description = "changed on the way";
    const changed = new TextEncoder().encode(JSON.stringify(payload));

    // the signature of the good payload over other bytes
    const tampered = await kv.put(
      desiredKey("plant-a", "stable"),
      JSON.stringify({ ...envelope, payload: Buffer.from(changed).toString("base64") }),
    );
    for (const device of ["pi-a", "pi-b"]) {
      const status = await eventually(async () => {
        const status = await fleet.status(device);
        return status?.refused.some((item) => item.revision === tampered) ? status : undefined;
      }, CONVERGE_MS);
      expect(status.refused.find((item) => item.revision === tampered)).toMatchObject({
        group: "plant-a",
        key: "stable",
      });
      expect(status.refused.find((item) => item.revision === tampered)!.reason).toMatch(/signature/);
    }

    // no signature at all
    const unsigned = await kv.put(desiredKey("plant-a", "stable"), sealEnvelope(changed, null));
    for (const device of ["pi-a", "pi-b"]) {
      const status = await eventually(async () => {
        const status = await fleet.status(device);
        return status?.refused.some((item) => item.revision === unsigned) ? status : undefined;
      }, CONVERGE_MS);
      expect(status.refused.find((item) => item.revision === unsigned)!.reason).toMatch(/not signed/);
    }

    const after = await fleet.status("pi-a");
    expect(after!.deployment!.digest).toBe(before!.deployment!.digest);
    expect(after!.desired["plant-a"]!.revision).toBe(plantAStable.revision);
    expect(await answerOf("pi-a", "greet")).toBe("plant-a v2");
    expect(await answerOf("pi-b", "greet")).toBe("plant-a v2");
    const shown = await fleet.cli(["status", "--group", "plant-a"]);
    for (const device of ["pi-a", "pi-b"]) {
      const line = shown.stdout.split("\n").find((text) => text.startsWith(device));
      expect(line).toContain(`plant-a:stable@${tampered}`);
      expect(line).toContain(`plant-a:stable@${unsigned}`);
    }

    // a signed document again is taken
    plantAStable = await fleet.deploy("plant-a", plantA("v4"));
    await converged("pi-a", { "plant-a": plantAStable }, { greet: "plant-a v4" });
  });

  test("fleet invoke returns the device's result, its function error and its log tail", async () => {
    await converged("pi-b", { "plant-a": plantAStable }, {});
    const out = join(work, "invoke-out.json");
    const ok = await fleet.cli([
      "invoke",
      "--device",
      "pi-b",
      "hello",
      "--payload",
      JSON.stringify({ name: "fleet" }),
      "--sign-key",
      fleet.signKey,
      out,
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ hello: "fleet" });
    expect(JSON.parse(ok.stdout)).toMatchObject({ StatusCode: 200, ExecutedVersion: "$LATEST" });

    const failed = await fleet.cli(["invoke", "--device", "pi-b", "fails", "--sign-key", fleet.signKey, out]);
    expect(JSON.parse(failed.stdout)).toMatchObject({ StatusCode: 200, FunctionError: "Unhandled" });
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({
      errorType: "SensorError",
      errorMessage: "the sensor is unplugged",
    });

    const tail = await fleet.cli([
      "invoke",
      "--device",
      "pi-a",
      "hello",
      "--payload",
      JSON.stringify({ name: "tail" }),
      "--log-type",
      "Tail",
      "--sign-key",
      fleet.signKey,
      out,
    ]);
    expect(tail.code).toBe(0);
    const logResult = (JSON.parse(tail.stdout) as { LogResult: string }).LogResult;
    expect(Buffer.from(logResult, "base64").toString("utf8")).toContain(
      'hello from the device {"name":"tail"}',
    );
    expect(tail.stderr).toContain("hello from the device");
  });

  test("an invoke without the deployer's signature is refused by a device that holds its public key", async () => {
    const out = join(work, "unsigned-out.json");
    const refused = await fleet.cli(["invoke", "--device", "pi-b", "hello", "--payload", "{}", out]);
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toContain("AccessDeniedException");
  });

  test("fleet invoke of a device that is not connected says so", async () => {
    const out = join(work, "nobody-out.json");
    const result = await fleet.cli(["invoke", "--device", "pi-z", "hello", "--sign-key", fleet.signKey, out]);
    expect(result.code).toBe(255);
    expect(result.stderr).toContain("pi-z is not connected");
  });

  test("a device's own credentials cannot invoke another device", async () => {
    const nc = await connectFleet({
      servers: fleet.hub.url,
      credentials: { nkeySeedFile: fleet.hub.seedFileOf("pi-a") },
      tls: null,
      name: "pi-a, as a test",
      device: "pi-a",
      persistent: false,
    });
    try {
      // even a request signed by the deployer's key: the hub does not let pi-a publish it
      const request = new TextEncoder().encode(JSON.stringify({
        format: "lambdalet-invoke/1",
        device: "pi-b",
        functionName: "hello",
        qualifier: null,
        payload: Buffer.from("{}").toString("base64"),
        logType: null,
        clientContext: null,
        issuedAt: new Date().toISOString(),
        nonce: crypto.randomUUID(),
      }));
      const asked = nc.request(invokeSubject("pi-b"), sealEnvelope(request, readPrivateKey(fleet.signKey)), {
        timeout: 20_000,
      });
      const error = await asked.then(() => null, (caught: unknown) => caught);
      // the request's error carries the hub's refusal as its cause
      const violation = error instanceof PermissionViolationError ? error : (error as Error | null)?.cause;
      expect(violation).toBeInstanceOf(PermissionViolationError);
      expect(violation as PermissionViolationError).toMatchObject({
        operation: "publish",
        subject: invokeSubject("pi-b"),
      });
    } finally {
      await nc.close();
    }
  });
});
