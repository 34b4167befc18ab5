import { afterEach, describe, expect, test } from "bun:test";
import { parseSubscription, type Subscription, TelemetrySubscriber } from "../../lib/runtime-api/mod.ts";
import { eventually } from "../helpers/functions.ts";

const valid = {
  schemaVersion: "2022-12-13",
  types: ["platform", "function"],
  destination: { protocol: "HTTP", URI: "http://sandbox.localdomain:4243/telemetry" },
};

describe("parseSubscription()", () => {
  test("maps sandbox.localdomain to the loopback address and fills Lambda's buffering defaults", () => {
    const subscription = parseSubscription(valid) as Subscription;
    expect(subscription.url).toBe("http://127.0.0.1:4243/telemetry");
    expect([...subscription.types]).toEqual(["platform", "function"]);
    expect(subscription).toMatchObject({ maxItems: 10000, maxBytes: 262144, timeoutMs: 1000 });
  });

  test("refuses buffering outside Lambda's limits, naming the field", () => {
    expect(parseSubscription({ ...valid, buffering: { timeoutMs: 10 } })).toBe(
      "buffering.timeoutMs: timeoutMs must be ≥ 25",
    );
    expect(parseSubscription({ ...valid, buffering: { maxItems: 20000 } })).toContain(
      "maxItems must be ≤ 10000",
    );
    expect(parseSubscription({ ...valid, buffering: { maxBytes: 1000 } })).toContain(
      "maxBytes must be ≥ 262144",
    );
  });

  test("refuses a destination away from the execution environment, and unknown types", () => {
    const remote = { ...valid, destination: { protocol: "HTTP", URI: "http://example.com:80/" } };
    expect(parseSubscription(remote)).toContain("Invalid destination");
    expect(parseSubscription({ ...valid, types: ["logs"] })).toContain("types");
    expect(parseSubscription({ ...valid, schemaVersion: "2020-01-01" })).toContain("schemaVersion");
  });
});

describe("TelemetrySubscriber", () => {
  const servers: ReturnType<typeof Bun.serve>[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.stop(true);
  });

  test("posts records in batches as JSON arrays once timeoutMs has passed", async () => {
    const batches: unknown[][] = [];
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        batches.push((await req.json()) as unknown[]);
        return new Response("OK");
      },
    });
    servers.push(server);
    const subscriber = new TelemetrySubscriber(parseSubscription({
      ...valid,
      buffering: { timeoutMs: 25 },
      destination: { protocol: "HTTP", URI: `http://sandbox.localdomain:${server.port}/` },
    }) as Subscription);
    subscriber.add("platform", { time: "t", type: "platform.start", record: { requestId: "a" } });
    subscriber.add("function", { time: "t", type: "function", record: "a line" });
    subscriber.add("extension", { time: "t", type: "extension", record: "not subscribed" });
    await eventually(() => (batches.length ? true : undefined));
    expect(batches).toEqual([[
      { time: "t", type: "platform.start", record: { requestId: "a" } },
      { time: "t", type: "function", record: "a line" },
    ]]);
    subscriber.close();
  });

  test("a listener that does not take its batches costs bounded memory: the oldest go, then logsDropped", async () => {
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const batches: { type: string; record: unknown }[][] = [];
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        const batch = (await req.json()) as { type: string; record: unknown }[];
        batches.push(batch);
        if (batches.length === 1) await stalled; // the first batch hangs while records keep coming
        return new Response("OK");
      },
    });
    servers.push(server);
    const subscriber = new TelemetrySubscriber(parseSubscription({
      ...valid,
      buffering: { maxItems: 1000, timeoutMs: 25 },
      destination: { protocol: "HTTP", URI: `http://sandbox.localdomain:${server.port}/` },
    }) as Subscription);
    subscriber.add("function", { time: "t", type: "function", record: "first" });
    await eventually(() => (batches.length ? true : undefined));
    for (let i = 0; i < 5000; i++) {
      subscriber.add("function", { time: "t", type: "function", record: `line ${i}` });
    }
    release();
    await eventually(() => (batches.length >= 2 ? true : undefined));
    const second = batches[1]!;
    expect(second.length).toBeLessThanOrEqual(1001);
    expect(second[0]).toMatchObject({
      type: "platform.logsDropped",
      record: { droppedRecords: 4000, droppedBytes: expect.any(Number), reason: expect.any(String) },
    });
    // the newest stay
    expect(second.at(-1)).toMatchObject({ record: "line 4999" });
    subscriber.close();
  });
});
