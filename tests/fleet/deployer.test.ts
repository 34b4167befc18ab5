/**
 * @module The deployer against a real nats-server: code uploaded once by SHA-256, the stable document written signed
 * and read back, compare-and-set conflicts, rollouts that block a plain deploy unless forced.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash, createPrivateKey } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { readDeploymentDocument } from "../../lib/cli/deploy.ts";
import { documentDigest, type Rollout } from "../../lib/fleet/desired-document.ts";
import {
  deployStable,
  DesiredConflictError,
  FleetDeployError,
  type FleetStores,
  openFleetStores,
  readDesired,
  writeDesired,
} from "../../lib/fleet/deployer.ts";
import { generateSigningKeys, openEnvelope, parsePublicKey } from "../../lib/fleet/envelope.ts";
import { desiredKey } from "../../lib/fleet/names.ts";
import { tempDir } from "../helpers/agent-process.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { handlerZip } from "../helpers/functions.ts";
import { connectDeployer, type Nats, NATS_SERVER, startNats } from "../helpers/nats.ts";

setDefaultTimeout(60_000);

if (!NATS_SERVER) {
  explainSkip("the fleet deployer tests", "nats-server is not installed (apt-get install nats-server)");
}

function rolloutOf(state: Rollout["state"]): Rollout {
  return {
    rolloutId: crypto.randomUUID(),
    state,
    steps: [{ count: 1 }, { all: true }],
    step: 0,
    targets: ["pi-01"],
    released: ["pi-01"],
    abortConfig: { criteriaList: [] },
    timeoutConfig: { inProgressTimeoutInMinutes: 10 },
    reason: null,
  };
}

describe.skipIf(!NATS_SERVER)("the fleet deployer", () => {
  let nats: Nats;
  let nc: NatsConnection;
  let stores: FleetStores;
  const work = tempDir();
  const zip = handlerZip('exports.handler = async () => "fleet";');
  const sha256 = createHash("sha256").update(zip).digest("hex");
  const keys = generateSigningKeys();
  const signKey = createPrivateKey(keys.privatePem);
  const documentFile = join(work, "deployment.yaml");

  beforeAll(async () => {
    nats = await startNats({ devices: [], groupsOf: () => [] });
    nc = await connectDeployer(nats);
    stores = await openFleetStores(nc);
    writeFileSync(join(work, "hello.zip"), zip);
    writeFileSync(
      documentFile,
      [
        "functions:",
        "  - FunctionName: hello",
        "    Runtime: nodejs20.x",
        "    Handler: index.handler",
        "    Code: { ZipFilePath: hello.zip }",
        "  - FunctionName: hello-again",
        "    Runtime: nodejs20.x",
        "    Handler: index.handler",
        "    Code: { ZipFilePath: hello.zip }",
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await nc?.close().catch(() => {});
    await nats?.stop();
  });

  test("uploads each zip once under its SHA-256 and writes the signed stable document with code by Sha256", async () => {
    const deployed = await deployStable(stores, "plant-a", readDeploymentDocument(documentFile), { signKey });
    expect(deployed.uploaded).toEqual([sha256]);
    expect(deployed.reused).toEqual([]);
    expect(await stores.code.getBlob(sha256)).toEqual(zip);

    const stored = await stores.desired.get(desiredKey("plant-a", "stable"));
    const opened = openEnvelope(stored!.value, [parsePublicKey(keys.publicLine)]);
    expect(opened.ok).toBe(true);
    expect(opened.keyId).toBe(keys.keyId);

    const read = await readDesired(stores.desired, "plant-a", "stable");
    expect(read?.revision).toBe(deployed.revision);
    expect(read?.payload.key).toBe("stable");
    expect(read?.payload.rollout).toBeNull();
    const functions = read!.payload.rawDocument as { functions: { FunctionName: string; Code: unknown }[] };
    expect(functions.functions.map((fn) => [fn.FunctionName, fn.Code])).toEqual([
      ["hello", { Sha256: sha256 }],
      ["hello-again", { Sha256: sha256 }],
    ]);
    expect(documentDigest(read!.payload.rawDocument)).toBe(deployed.digest);
  });

  test("a second deploy of the same zip uploads nothing and writes a new revision", async () => {
    const first = await readDesired(stores.desired, "plant-a", "stable");
    const again = await deployStable(stores, "plant-a", readDeploymentDocument(documentFile), { signKey });
    expect(again.uploaded).toEqual([]);
    expect(again.reused).toEqual([sha256]);
    expect(again.revision).toBeGreaterThan(first!.revision);
    expect((await stores.code.list()).map((info) => info.name)).toEqual([sha256]);
  });

  test("code given by Sha256 must already be in the store", async () => {
    const missing = "0".repeat(64);
    const document = {
      functions: [{
        FunctionName: "ghost",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Code: { Sha256: missing },
      }],
    };
    await expect(deployStable(stores, "plant-a", document)).rejects.toThrow(
      `The fleet's code store holds no zip ${missing} (Code.Sha256)`,
    );
  });

  test("an invalid document is refused before anything is written", async () => {
    const before = await readDesired(stores.desired, "plant-a", "stable");
    await expect(deployStable(stores, "plant-a", { functions: [{ FunctionName: "x" }] })).rejects.toThrow(
      FleetDeployError,
    );
    expect((await readDesired(stores.desired, "plant-a", "stable"))?.revision).toBe(before!.revision);
  });

  test("a write against a revision that is no longer the key's is a conflict", async () => {
    const current = await readDesired(stores.desired, "plant-a", "stable");
    const write = {
      group: "plant-a",
      kind: "stable" as const,
      document: current!.payload.rawDocument,
      rollout: null,
      signKey,
    };
    const next = await writeDesired(stores.desired, { ...write, expectedRevision: current!.revision });
    await expect(writeDesired(stores.desired, { ...write, expectedRevision: current!.revision })).rejects
      .toThrow(
        DesiredConflictError,
      );
    await expect(writeDesired(stores.desired, { ...write, expectedRevision: 0 })).rejects.toThrow(
      DesiredConflictError,
    );
    expect((await readDesired(stores.desired, "plant-a", "stable"))?.revision).toBe(next);
  });

  test("a rollout in progress blocks a plain deploy unless forced, which aborts it", async () => {
    const document = (await readDesired(stores.desired, "plant-a", "stable"))!.payload.rawDocument;
    await writeDesired(stores.desired, {
      group: "plant-a",
      kind: "rollout",
      document,
      rollout: rolloutOf("IN_PROGRESS"),
      signKey,
    });
    await expect(deployStable(stores, "plant-a", readDeploymentDocument(documentFile), { signKey })).rejects
      .toThrow(
        /is in progress; wait for it, or --force to abort it/,
      );
    await deployStable(stores, "plant-a", readDeploymentDocument(documentFile), { signKey, force: true });
    const rollout = await readDesired(stores.desired, "plant-a", "rollout");
    expect(rollout?.payload.rollout?.state).toBe("ABORTED");
    expect(rollout?.payload.rollout?.reason).toBe("replaced by a forced deploy");
  });

  test("a hub restarted on the same port keeps the buckets and the code", async () => {
    const before = await readDesired(stores.desired, "plant-a", "stable");
    await nc.close();
    await nats.stop();
    await nats.start();
    nc = await connectDeployer(nats);
    stores = await openFleetStores(nc);
    expect((await readDesired(stores.desired, "plant-a", "stable"))?.revision).toBe(before!.revision);
    expect(await stores.code.getBlob(sha256)).toEqual(zip);
  });
});
