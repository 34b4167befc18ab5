/**
 * @module The per-device permissions lib/fleet/server-config.ts renders, against a real nats-server: a device watches
 * its own groups, writes its own status, reads code and answers its own invokes, and nothing else; the deployer can
 * do all of it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { type KV, Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectFleet } from "../../lib/fleet/connection.ts";
import { type FleetStores, openFleetStores } from "../../lib/fleet/deployer.ts";
import {
  CODE_STORE,
  DESIRED_BUCKET,
  desiredKey,
  groupKeys,
  invokeSubject,
  STATUS_BUCKET,
  statusKey,
} from "../../lib/fleet/names.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { eventually } from "../helpers/functions.ts";
import { connectDeployer, type Nats, NATS_SERVER, startNats } from "../helpers/nats.ts";

setDefaultTimeout(60_000);

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const GROUPS: Record<string, string[]> = { "pi-01": ["plant-a", "cameras"], "pi-02": ["other"] };

if (!NATS_SERVER) {
  explainSkip("the fleet permission tests", "nats-server is not installed (apt-get install nats-server)");
}

/** The first value a watch of `key` delivers (rejects when the hub refuses the watch). */
async function firstWatched(kv: KV, key: string): Promise<string> {
  const watch = await kv.watch({ key });
  try {
    for await (const entry of watch) return `${entry.key}=${decoder.decode(entry.value)}`;
    throw new Error("the watch ended");
  } finally {
    watch.stop();
  }
}

/** Whether a subscription is refused by the hub (its iterator ends with the violation). */
async function subscriptionError(nc: NatsConnection, subject: string): Promise<string> {
  const sub = nc.subscribe(subject);
  try {
    for await (const _ of sub) return "a message arrived";
    return "the subscription ended without error";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe.skipIf(!NATS_SERVER)("fleet permissions on nats-server", () => {
  let nats: Nats;
  let deployer: NatsConnection;
  let device: NatsConnection;
  let other: NatsConnection;
  let stores: FleetStores;
  let zip: Uint8Array;

  beforeAll(async () => {
    nats = await startNats({ devices: Object.keys(GROUPS), groupsOf: (name) => GROUPS[name] ?? [] });
    deployer = await connectDeployer(nats);
    stores = await openFleetStores(deployer);
    await stores.desired.put(desiredKey("plant-a", "stable"), encoder.encode("plant-a doc"));
    await stores.desired.put(desiredKey("other", "stable"), encoder.encode("other doc"));
    zip = crypto.getRandomValues(new Uint8Array(300_000));
    await stores.code.putBlob({ name: "code-1" }, zip);
    const login = (name: string) =>
      connectFleet({
        servers: nats.url,
        credentials: { nkeySeedFile: nats.seedFileOf(name) },
        tls: null,
        name,
        device: name,
        persistent: false,
      });
    device = await login("pi-01");
    other = await login("pi-02");
  });

  afterAll(async () => {
    await Promise.all([device, other, deployer].map((nc) => nc?.close().catch(() => {})));
    await nats?.stop();
  });

  describe("a device", () => {
    test("watches its own groups' keys", async () => {
      const desired = await new Kvm(device).open(DESIRED_BUCKET);
      expect(await firstWatched(desired, groupKeys("plant-a"))).toBe("group.plant-a.stable=plant-a doc");
    });

    test("cannot watch another group's keys, nor a wider filter, nor get a key", async () => {
      const desired = await new Kvm(device).open(DESIRED_BUCKET);
      await expect(firstWatched(desired, groupKeys("other"))).rejects.toThrow();
      await expect(firstWatched(desired, "group.>")).rejects.toThrow();
      await expect(desired.get(desiredKey("plant-a", "stable"))).rejects.toThrow();
      await eventually(() => /Violation.*group\.other\./.test(nats.log()) || undefined);
    });

    test("writes its own status key", async () => {
      const status = await new Kvm(device).open(STATUS_BUCKET);
      await status.put(statusKey("pi-01"), encoder.encode('{"device":"pi-01"}'));
      expect((await stores.status.get(statusKey("pi-01")))?.string()).toBe('{"device":"pi-01"}');
    });

    test("cannot write another device's status, nor a desired key", async () => {
      const status = await new Kvm(device).open(STATUS_BUCKET);
      await expect(status.put(statusKey("pi-02"), encoder.encode("forged"))).rejects.toThrow();
      const desired = await new Kvm(device).open(DESIRED_BUCKET);
      await expect(desired.put(desiredKey("plant-a", "stable"), encoder.encode("forged"))).rejects.toThrow();
      expect(await stores.status.get(statusKey("pi-02"))).toBeNull();
      expect((await stores.desired.get(desiredKey("plant-a", "stable")))?.string()).toBe("plant-a doc");
    });

    test("reads code from the object store", async () => {
      const code = await new Objm(device).open(CODE_STORE);
      expect(await code.getBlob("code-1")).toEqual(zip);
    });

    test("answers remote invokes on its own subject", async () => {
      const sub = device.subscribe(invokeSubject("pi-01"));
      (async () => {
        for await (const message of sub) {
          message.respond(encoder.encode(`pong ${decoder.decode(message.data)}`));
        }
      })();
      await device.flush();
      const reply = await deployer.request(invokeSubject("pi-01"), encoder.encode("ping"), {
        timeout: 10_000,
      });
      expect(decoder.decode(reply.data)).toBe("pong ping");
      sub.unsubscribe();
    });

    test("cannot listen on another device's invoke subject", async () => {
      expect(await subscriptionError(device, invokeSubject("pi-02"))).toMatch(/permissions violation/i);
    });

    test("cannot invoke another device", async () => {
      const sub = other.subscribe(invokeSubject("pi-02"));
      let received = 0;
      (async () => {
        for await (const message of sub) {
          received += 1;
          message.respond(encoder.encode("pong"));
        }
      })();
      await other.flush();
      await expect(device.request(invokeSubject("pi-02"), encoder.encode("ping"), { timeout: 3000 })).rejects
        .toThrow();
      await eventually(() => /Publish Violation.*lambdalet\.invoke\.pi-02/.test(nats.log()) || undefined);
      expect(received).toBe(0);
      sub.unsubscribe();
    });
  });

  describe("the deployer", () => {
    test("watches and gets any key, writes desired keys and any status, answers any invoke subject", async () => {
      expect(await firstWatched(stores.desired, groupKeys("other"))).toBe("group.other.stable=other doc");
      expect((await stores.desired.get(desiredKey("other", "stable")))?.string()).toBe("other doc");
      await stores.desired.put(desiredKey("other", "rollout"), encoder.encode("r"));
      await stores.status.put(statusKey("pi-02"), encoder.encode("by the deployer"));
      const sub = deployer.subscribe(invokeSubject("pi-02"));
      (async () => {
        for await (const message of sub) message.respond(encoder.encode("deployer pong"));
      })();
      await deployer.flush();
      const reply = await deployer.request(invokeSubject("pi-02"), encoder.encode("ping"), {
        timeout: 10_000,
      });
      expect(decoder.decode(reply.data)).toBe("deployer pong");
      sub.unsubscribe();
    });
  });
});
