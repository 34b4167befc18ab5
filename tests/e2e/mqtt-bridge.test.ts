/**
 * @module The MQTT bridge end to end against a real Mosquitto (TLS, client certificates): IOT_CORE sources, topic
 * mappings both ways, QoS 1 across a kill -9 of the agent, the spool while the broker is down, the refusal of TLS
 * without a client certificate.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type MqttClient } from "mqtt";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { createFunction, deploy, eventually, readJson } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";
import { MOSQUITTO, type Mosquitto, startMosquitto } from "../helpers/mosquitto.ts";
import { deliveries, pubsubFunction } from "../helpers/pubsub.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";

setDefaultTimeout(60_000);

const CLIENT_ID = "lambdalet-test-device";

interface MqttStatusBody {
  mqtt: {
    state: string;
    lastError: string | null;
    spool: { messages: number; bytes: number };
    received: number;
    published: number;
    dropped: number;
    subscriptions: string[];
    eventSources: { functionName: string; topic: string }[];
  } | null;
  events: { queued: number };
}

/** An mqtt.js client of the test broker with the test's client certificate and a persistent session. */
function testClient(broker: Mosquitto, clientId: string): Promise<MqttClient> {
  const client = connect(broker.url, {
    clientId,
    clean: false,
    reconnectPeriod: 100,
    ca: readFileSync(broker.pki.caCert, "utf8"),
    cert: readFileSync(broker.pki.clientCert, "utf8"),
    key: readFileSync(broker.pki.clientKey, "utf8"),
  });
  return new Promise((resolve, reject) => {
    client.once("connect", () => resolve(client));
    client.once("error", reject);
  });
}

if (!MOSQUITTO) {
  explainSkip("the MQTT bridge tests", "mosquitto is not installed (apt-get install mosquitto, as root)");
}

describe.skipIf(!MOSQUITTO)("the MQTT bridge", () => {
  let broker: Mosquitto;
  let agent: AgentProcess;
  let outside: MqttClient;
  const heard: { topic: string; text: string }[] = [];
  const work = workerWritableDir("lambdalet-mqtt-");
  const dataDir = join(work, "data");
  const log = join(work, "deliveries");
  const config = join(work, "lambdalet.json");
  const start = () => startAgentProcess({ dataDir, flags: ["--config", config] });
  const status = async () => await readJson<MqttStatusBody>(await apiFetch(`${agent.url}/status`));
  const delivered = (fn: string) => deliveries(log).filter((line) => line.fn === fn);
  const publishIn = (topic: string, message: unknown) =>
    outside.publishAsync(topic, JSON.stringify(message), { qos: 1 });

  beforeAll(async () => {
    broker = await startMosquitto();
    mkdirSync(log);
    chmodSync(log, 0o1777);
    writeFileSync(
      config,
      JSON.stringify({
        eventRetryDelaysSeconds: [0.2, 0.4],
        mqtt: {
          url: broker.url,
          clientId: CLIENT_ID,
          caPath: broker.pki.caCert,
          certPath: broker.pki.clientCert,
          keyPath: broker.pki.clientKey,
          mqttTopicMapping: {
            toCloud: { topic: "alerts/#", source: "Pubsub", target: "IotCore" },
            fromCloud: {
              topic: "commands/#",
              source: "IotCore",
              target: "Pubsub",
              targetTopicPrefix: "cloud/",
            },
          },
          reconnectDelaySeconds: { min: 0.1, max: 0.5 },
        },
      }),
    );
    agent = await start();
    await deploy(
      agent.url,
      pubsubFunction("telemetry", log, {
        eventSources: [{ type: "IOT_CORE", topic: "devices/+/telemetry" }],
      }),
    );
    await deploy(
      agent.url,
      pubsubFunction("commands", log, { eventSources: [{ type: "PUB_SUB", topic: "cloud/commands/#" }] }),
    );
    await deploy(
      agent.url,
      pubsubFunction("slow", log, { eventSources: [{ type: "IOT_CORE", topic: "slow/#" }] }),
    );
    outside = await testClient(broker, "test-outside");
    await outside.subscribeAsync("alerts/#", { qos: 1 });
    outside.on("message", (topic, payload) => heard.push({ topic, text: payload.toString() }));
    await eventually(async () => (await status()).mqtt?.state === "connected" || undefined);
  }, 90_000);

  afterAll(async () => {
    await outside?.endAsync(true);
    await agent?.stop();
    await broker?.stop();
  });

  test("a message on the broker reaches the IOT_CORE subscriber, with its topic in the client context", async () => {
    await eventually(async () =>
      (await status()).mqtt?.subscriptions.includes("devices/+/telemetry") || undefined
    );
    await publishIn("devices/d1/telemetry", { celsius: 21.5 });
    const [line] = await eventually(() => delivered("telemetry").length ? delivered("telemetry") : undefined);
    expect(line!.subject).toBe("devices/d1/telemetry");
    expect(line!.event).toEqual({ celsius: 21.5 });
  });

  test("a mapping from IotCore to Pubsub republishes broker messages on the local topic, prefixed", async () => {
    await publishIn("commands/door", { open: true });
    const [line] = await eventually(() => delivered("commands").length ? delivered("commands") : undefined);
    expect(line!.subject).toBe("cloud/commands/door");
    expect(line!.event).toEqual({ open: true });
  });

  test("a mapping from Pubsub to IotCore sends local publishes that match it to the broker", async () => {
    const response = await apiFetch(`${agent.url}/topics/alerts/kitchen`, {
      method: "POST",
      body: JSON.stringify({ smoke: true }),
    });
    expect(response.status).toBe(200);
    await apiFetch(`${agent.url}/topics/other/kitchen`, { method: "POST", body: "{}" });
    const message = await eventually(() => heard.find((item) => item.topic === "alerts/kitchen"));
    expect(JSON.parse(message.text)).toEqual({ smoke: true });
    expect(heard.some((item) => item.topic === "other/kitchen")).toBe(false);
    const { mqtt } = await status();
    expect(mqtt).toMatchObject({ state: "connected", spool: { messages: 0, bytes: 0 }, dropped: 0 });
    expect(mqtt!.published).toBeGreaterThanOrEqual(1);
    expect(mqtt!.received).toBeGreaterThanOrEqual(2);
    expect(mqtt!.eventSources).toContainEqual({ functionName: "telemetry", topic: "devices/+/telemetry" });
  });

  test("messages for the broker are spooled while it is down, and delivered in order when it returns", async () => {
    await broker.stop();
    await eventually(async () => (await status()).mqtt?.state !== "connected" || undefined);
    for (let seq = 0; seq < 5; seq++) {
      const response = await apiFetch(`${agent.url}/topics/alerts/order`, {
        method: "POST",
        body: JSON.stringify({ seq }),
      });
      expect(response.status).toBe(200);
    }
    expect((await status()).mqtt!.spool.messages).toBe(5);
    await broker.start();
    const seen = await eventually(() => {
      const got = heard.filter((item) => item.topic === "alerts/order");
      return got.length >= 5 ? got : undefined;
    }, 20_000);
    expect(seen.map((item) => (JSON.parse(item.text) as { seq: number }).seq)).toEqual([0, 1, 2, 3, 4]);
    await eventually(async () => (await status()).mqtt?.spool.messages === 0 || undefined);
  });

  test("a QoS 1 message the agent acknowledged is delivered after a kill -9", async () => {
    await eventually(async () => (await status()).mqtt?.state === "connected" || undefined, 20_000);
    await publishIn("slow/a", { n: 1, sleep: 3000 });
    await publishIn("slow/b", { n: 2 });
    // the first runs, the second waits behind it (a function's topic events run in order): both are committed
    await eventually(() =>
      delivered("slow").some((line) => (line.event as { n: number }).n === 1) || undefined
    );
    await eventually(async () => (await status()).events.queued >= 2 || undefined);
    // and acknowledged: the broker will not send it again, so only the queue can deliver it after the kill
    const mid = /Sending PUBLISH to \S+ \(d\d, q1, r\d, m(\d+), 'slow\/b'/.exec(broker.log())?.[1];
    await eventually(() =>
      broker.log().includes(`Received PUBACK from ${CLIENT_ID} (Mid: ${mid},`) || undefined
    );
    agent.proc.kill("SIGKILL");
    await agent.proc.exited;
    agent = await start();
    const second = await eventually(
      () => delivered("slow").find((line) => (line.event as { n: number }).n === 2),
      20_000,
    );
    expect(second.subject).toBe("slow/b");
  });

  test("a QoS 1 message not yet committed when the agent is killed is sent again by the broker", async () => {
    await eventually(async () => (await status()).mqtt?.state === "connected" || undefined, 20_000);
    await eventually(() =>
      delivered("slow").some((line) => (line.event as { n: number }).n === 2) || undefined
    );
    // hold the database's write lock: the agent cannot commit the message, so it must not acknowledge it
    const lock = new Database(join(dataDir, "lambdalet.db"));
    lock.run("PRAGMA busy_timeout = 5000");
    lock.run("BEGIN IMMEDIATE");
    const before = broker.log().length;
    await publishIn("slow/c", { n: 3 });
    const sent = await eventually(() =>
      new RegExp(`Sending PUBLISH to ${CLIENT_ID} \\(d\\d, q1, r\\d, m(\\d+), 'slow/c'`).exec(
        broker.log().slice(before),
      ) ?? undefined
    );
    agent.proc.kill("SIGKILL");
    await agent.proc.exited;
    expect(broker.log().slice(before)).not.toContain(`Received PUBACK from ${CLIENT_ID} (Mid: ${sent[1]},`);
    lock.run("ROLLBACK");
    lock.close();
    agent = await start();
    const third = await eventually(
      () => delivered("slow").find((line) => (line.event as { n: number }).n === 3),
      20_000,
    );
    expect(third.subject).toBe("slow/c");
  });

  test("an IOT_CORE source is refused at create by an agent with no MQTT bridge", async () => {
    const plain = await startAgentProcess({
      dataDir: join(workerWritableDir("lambdalet-mqtt-none-"), "data"),
    });
    try {
      const response = await createFunction(
        plain.url,
        pubsubFunction("lonely", log, { eventSources: [{ type: "IOT_CORE", topic: "a/b" }] }),
      );
      const error = await expectLambdaError(response, 400, "InvalidParameterValueException");
      expect(error.message).toMatch(
        /Edge.eventSources\[0\]: an IOT_CORE source needs the agent's MQTT bridge/,
      );
    } finally {
      await plain.stop();
    }
  });

  test("the broker refuses TLS without a client certificate", async () => {
    const noCertConfig = join(work, "no-cert.json");
    writeFileSync(
      noCertConfig,
      JSON.stringify({
        mqtt: {
          url: broker.url,
          clientId: "lambdalet-no-cert",
          caPath: broker.pki.caCert,
          reconnectDelaySeconds: { min: 0.1, max: 0.5 },
        },
      }),
    );
    const other = await startAgentProcess({
      dataDir: join(workerWritableDir("lambdalet-mqtt-nocert-"), "data"),
      flags: ["--config", noCertConfig],
    });
    try {
      const refused = await eventually(async () => {
        const { mqtt } = await readJson<MqttStatusBody>(await apiFetch(`${other.url}/status`));
        return mqtt?.lastError ? mqtt : undefined;
      });
      expect(refused.state).not.toBe("connected");
      expect(broker.log()).not.toMatch(/New client connected from \S+ as lambdalet-no-cert/);
    } finally {
      await other.stop();
    }
  });
});
