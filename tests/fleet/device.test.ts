/**
 * @module A device in a fleet, for real: a nats-server with JetStream, the device's nkey user limited to its own
 * keys and subjects, and an agent process whose config has `fleet`. Documents are written as the deployer does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type KV, Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { buildZip } from "../../lib/code/mod.ts";
import { sealEnvelope } from "../../lib/fleet/envelope.ts";
import { DESIRED_FORMAT } from "../../lib/fleet/desired-document.ts";
import {
  CODE_STORE,
  DESIRED_BUCKET,
  desiredKey,
  invokeSubject,
  STATUS_BUCKET,
  statusKey,
} from "../../lib/fleet/names.ts";
import type { DeviceStatus, InvokeReply } from "../../lib/fleet/mod.ts";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { eventually, invoke, readJson } from "../helpers/functions.ts";
import { type Nats, NATS_SERVER, startNats } from "../helpers/nats.ts";

const DEVICE = "pi-07";
const GROUPS = ["plant-a", "cameras"];
const SLOW = 120_000;

describe.skipIf(!NATS_SERVER)("a fleet device", () => {
  const work = tempDir("lambdalet-fleet-device-");
  const signing = generateKeyPairSync("ed25519");
  const publicLine = signing.publicKey.export({ type: "spki", format: "der" }).toString("base64");
  let hub: Nats;
  let deployer: NatsConnection;
  let desired: KV;
  let status: KV;
  let agent: AgentProcess;

  async function upload(zip: Uint8Array): Promise<string> {
    const sha256 = createHash("sha256").update(zip).digest("hex");
    const objects = await new Objm(deployer).open(CODE_STORE);
    if (!(await objects.info(sha256))) await objects.putBlob({ name: sha256 }, zip);
    return sha256;
  }

  function payload(group: string, functions: unknown[]): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({
      format: DESIRED_FORMAT,
      group,
      key: "stable",
      issuedAt: new Date().toISOString(),
      document: { functions },
      rollout: null,
    }));
  }

  function fn(name: string, sha256: string): Record<string, unknown> {
    return { FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Code: { Sha256: sha256 } };
  }

  async function deviceStatus(): Promise<DeviceStatus | null> {
    const entry = await status.get(statusKey(DEVICE));
    return entry?.value.length ? entry.json<DeviceStatus>() : null;
  }

  /** The device's status once it reports `group` at `revision` and its deployment completed. */
  function completed(group: string, revision: number): Promise<DeviceStatus> {
    return eventually(async () => {
      const current = await deviceStatus();
      return current?.deployment?.status === "COMPLETED" && current.desired[group]?.revision === revision
        ? current
        : undefined;
    }, SLOW);
  }

  function invokeRequest(extra: Record<string, unknown> = {}, key: KeyObject | null = signing.privateKey) {
    return sealEnvelope(
      new TextEncoder().encode(JSON.stringify({
        format: "lambdalet-invoke/1",
        device: DEVICE,
        functionName: "hello",
        qualifier: null,
        payload: Buffer.from(JSON.stringify({ from: "hub" })).toString("base64"),
        logType: null,
        clientContext: null,
        issuedAt: new Date().toISOString(),
        nonce: crypto.randomUUID(),
        ...extra,
      })),
      key,
    );
  }

  async function remoteInvoke(request: Uint8Array): Promise<InvokeReply> {
    const reply = await deployer.request(invokeSubject(DEVICE), request, { timeout: 60_000 });
    return reply.json<InvokeReply>();
  }

  const body = (reply: InvokeReply) => JSON.parse(Buffer.from(reply.body, "base64").toString("utf8"));

  beforeAll(async () => {
    hub = await startNats({ devices: [DEVICE], groupsOf: () => GROUPS });
    deployer = await connect({ servers: hub.url, user: hub.deployer.user, pass: hub.deployer.password });
    const kvm = new Kvm(deployer);
    desired = await kvm.create(DESIRED_BUCKET, { history: 16 });
    status = await kvm.create(STATUS_BUCKET, { history: 1 });
    await new Objm(deployer).create(CODE_STORE);
    const agentConfig = join(work, "agent.json");
    writeFileSync(
      agentConfig,
      JSON.stringify({
        fleet: {
          url: hub.url,
          device: DEVICE,
          groups: GROUPS,
          credentials: { nkeySeedFile: hub.seedFileOf(DEVICE) },
          publicKey: publicLine,
          heartbeatSeconds: 5,
        },
      }),
    );
    agent = await startAgentProcess({ dataDir: join(work, "data"), flags: ["--config", agentConfig] });
  }, SLOW);

  afterAll(async () => {
    await agent?.stop();
    await deployer?.close();
    await hub?.stop();
  });

  test("a signed stable document is applied, and the status key shows it", async () => {
    const sha256 = await upload(buildZip({
      "index.js":
        `exports.handler = async (event) => { console.log("hello ran"); return { version: "v1", event }; };\n`,
    }));
    const revision = await desired.put(
      desiredKey("plant-a", "stable"),
      sealEnvelope(payload("plant-a", [fn("hello", sha256)]), signing.privateKey),
    );
    const report = await completed("plant-a", revision);
    expect(report).toMatchObject({
      format: "lambdalet-status/1",
      device: DEVICE,
      groups: GROUPS,
      desired: { "plant-a": { key: "stable", revision }, cameras: null },
      deployment: { status: "COMPLETED", error: null },
      functions: { hello: { version: "$LATEST", codeSha256: sha256, state: "APPLIED", lastError: null } },
      refused: [],
    });
    expect(report.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.isolation).toBeString();
    expect(await readJson(await invoke(agent.url, "hello", JSON.stringify({ a: 1 })))).toEqual({
      version: "v1",
      event: { a: 1 },
    });
    expect(agent.output()).toContain(`lambdalet: fleet: connected to`);
  }, SLOW);

  test("a local deployment and the fleet's do not remove each other's functions", async () => {
    const local = await apiFetch(`${agent.url}/lambdalet/v1/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        functions: [{
          FunctionName: "local-only",
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Code: {
            ZipFile: Buffer.from(buildZip({ "index.js": `exports.handler = async () => "local";\n` }))
              .toString(
                "base64",
              ),
          },
        }],
      }),
    });
    expect(local.status).toBe(201);
    expect(await readJson(await invoke(agent.url, "hello", "{}"))).toMatchObject({ version: "v1" });
    const sha256 = await upload(buildZip({ "index.js": `exports.handler = async () => "camera";\n` }));
    const revision = await desired.put(
      desiredKey("cameras", "stable"),
      sealEnvelope(payload("cameras", [fn("camera", sha256)]), signing.privateKey),
    );
    await completed("cameras", revision);
    expect(await readJson(await invoke(agent.url, "camera", "{}"))).toBe("camera");
    expect(await readJson(await invoke(agent.url, "local-only", "{}"))).toBe("local");
    expect(await readJson(await invoke(agent.url, "hello", "{}"))).toMatchObject({ version: "v1" });
  }, SLOW);

  test(
    "a tampered or unsigned document is refused and reported; the device keeps running what it had",
    async () => {
      const sha256 = await upload(buildZip({ "index.js": `exports.handler = async () => "evil";\n` }));
      const signed = JSON.parse(
        new TextDecoder().decode(sealEnvelope(payload("plant-a", [fn("hello", sha256)]), signing.privateKey)),
      );
      const other = payload("plant-a", [fn("hello", sha256), fn("extra", sha256)]);
      const tampered = new TextEncoder().encode(
        JSON.stringify({ ...signed, payload: Buffer.from(other).toString("base64") }),
      );
      const tamperedRevision = await desired.put(desiredKey("plant-a", "stable"), tampered);
      const unsignedRevision = await desired.put(
        desiredKey("plant-a", "stable"),
        sealEnvelope(payload("plant-a", [fn("hello", sha256)]), null),
      );
      const garbageRevision = await desired.put(
        desiredKey("plant-a", "stable"),
        new TextEncoder().encode("{"),
      );
      const report = await eventually(async () => {
        const current = await deviceStatus();
        return current?.refused.some((refusal) => refusal.revision === garbageRevision) ? current : undefined;
      }, SLOW);
      expect(report.refused.map(({ key, group, revision, reason }) => ({ key, group, revision, reason })))
        .toEqual([
          {
            group: "plant-a",
            key: "stable",
            revision: tamperedRevision,
            reason: "the signature does not match the document",
          },
          {
            group: "plant-a",
            key: "stable",
            revision: unsignedRevision,
            reason: "the document is not signed",
          },
          { group: "plant-a", key: "stable", revision: garbageRevision, reason: "the envelope is not JSON" },
        ]);
      expect(report.deployment?.status).toBe("COMPLETED");
      expect(report.desired["plant-a"]?.revision).toBeLessThan(tamperedRevision);
      expect(await readJson(await invoke(agent.url, "hello", "{}"))).toMatchObject({ version: "v1" });
      const missing = await invoke(agent.url, "extra", "{}");
      expect(missing.status).toBe(404);
      expect(agent.output()).toContain(
        `lambdalet: fleet: refused group.plant-a.stable revision ${unsignedRevision}: the document is not signed`,
      );
    },
    SLOW,
  );

  test("a signed remote invoke returns the function's result and its log tail", async () => {
    const reply = await remoteInvoke(invokeRequest({ logType: "Tail" }));
    expect(reply.statusCode).toBe(200);
    expect(body(reply)).toEqual({ version: "v1", event: { from: "hub" } });
    expect(reply.headers["X-Amz-Executed-Version"]).toBe("$LATEST");
    expect(Buffer.from(reply.headers["X-Amz-Log-Result"]!, "base64").toString()).toContain("hello ran");
    const missing = await remoteInvoke(invokeRequest({ functionName: "nope" }));
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["x-amzn-ErrorType"]).toBe("ResourceNotFoundException");
  }, SLOW);

  test(
    "an unsigned, replayed, stale or misdirected remote invoke is refused with AccessDeniedException",
    async () => {
      const refused = async (request: Uint8Array, reason: string) => {
        const reply = await remoteInvoke(request);
        expect(reply.statusCode).toBe(403);
        expect(reply.headers["x-amzn-ErrorType"]).toBe("AccessDeniedException");
        expect(body(reply).message).toContain(reason);
      };
      await refused(invokeRequest({}, null), "the document is not signed");
      const once = invokeRequest();
      expect((await remoteInvoke(once)).statusCode).toBe(200);
      await refused(once, "its nonce was seen before");
      await refused(
        invokeRequest({ issuedAt: new Date(Date.now() - 10 * 60_000).toISOString() }),
        "5 minutes",
      );
      await refused(invokeRequest({ device: "pi-08" }), "it is for device pi-08");
      await refused(invokeRequest({ format: "other" }), "its request is not valid");
      const stranger = generateKeyPairSync("ed25519").privateKey;
      await refused(invokeRequest({}, stranger), "unknown key");
    },
    SLOW,
  );

  test("an unsigned deletion of a group's key is refused: the device keeps what it runs", async () => {
    await desired.delete(desiredKey("cameras", "stable"));
    await eventually(async () => {
      const current = await deviceStatus();
      return current?.refused.some((item) =>
          item.group === "cameras" && /deletion is not signed/.test(item.reason)
        )
        ? current
        : undefined;
    }, SLOW);
    expect(await readJson(await invoke(agent.url, "camera", "{}"))).toBe("camera");
  }, SLOW);

  test("a signed document without functions removes what only that group ran, and nothing else", async () => {
    const revision = await desired.put(
      desiredKey("cameras", "stable"),
      sealEnvelope(payload("cameras", []), signing.privateKey),
    );
    await completed("cameras", revision);
    expect((await invoke(agent.url, "camera", "{}")).status).toBe(404);
    expect(await readJson(await invoke(agent.url, "local-only", "{}"))).toBe("local");
    expect(await readJson(await invoke(agent.url, "hello", "{}"))).toMatchObject({ version: "v1" });
  }, SLOW);
});
