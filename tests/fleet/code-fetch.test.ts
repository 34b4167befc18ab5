/** @module Code from the hub's object store: checked against its SHA-256, and refused past the size limit unheld. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import type { CodeLease, CodeStore } from "../../lib/code/mod.ts";
import type { DeploymentDocument } from "../../lib/config/mod.ts";
import { CodeFetchError, fetchCode } from "../../lib/fleet/code-fetch.ts";
import { CODE_STORE } from "../../lib/fleet/names.ts";
import type { CodeBlobs } from "../../lib/store/mod.ts";
import { connectDeployer, type Nats, NATS_SERVER, startNats } from "../helpers/nats.ts";

const SLOW = 60_000;

describe.skipIf(!NATS_SERVER)("fetchCode()", () => {
  let hub: Nats;
  let nc: NatsConnection;
  const added: Uint8Array[] = [];
  const stores = {
    code: { add: (zip: Uint8Array) => Promise.resolve(void added.push(zip)) } as unknown as CodeStore,
    blobs: { list: () => [] } as unknown as CodeBlobs,
  };
  const lease = { hold() {}, release() {} } as unknown as CodeLease;
  const documentOf = (sha256: string) =>
    ({ functions: [{ FunctionName: "f", Code: { Sha256: sha256 } }] }) as unknown as DeploymentDocument;

  async function upload(bytes: Uint8Array, name = createHash("sha256").update(bytes).digest("hex")) {
    const objects = await new Objm(nc).create(CODE_STORE);
    await objects.putBlob({ name }, bytes);
    return name;
  }

  beforeAll(async () => {
    hub = await startNats({ devices: [], groupsOf: () => [] });
    nc = await connectDeployer(hub);
  }, SLOW);

  afterAll(async () => {
    await nc?.close();
    await hub?.stop();
  });

  test("an object past the limit is refused without being added", async () => {
    const sha256 = await upload(randomBytes(300_000));
    const failure = await fetchCode(nc, documentOf(sha256), stores, lease, 200_000).catch((error) => error);
    expect(failure).toBeInstanceOf(CodeFetchError);
    expect(failure.message).toBe(`the code ${sha256} on the hub is 300000 bytes or more, past 200000`);
    expect(added).toHaveLength(0);
  }, SLOW);

  test("an object within the limit is added, and one whose bytes are not its name is refused", async () => {
    const bytes = randomBytes(150_000);
    const sha256 = await upload(bytes);
    expect(await fetchCode(nc, documentOf(sha256), stores, lease, 200_000)).toBe(1);
    expect(Buffer.from(added[0]!).equals(bytes)).toBe(true);
    const liar = await upload(randomBytes(1000), "0".repeat(64));
    const failure = await fetchCode(nc, documentOf(liar), stores, lease).catch((error) => error);
    expect(failure.message).toBe(`the code ${liar} from the hub has another SHA-256`);
    expect(added).toHaveLength(1);
  }, SLOW);
});
