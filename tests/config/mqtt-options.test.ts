/** @module The agent config's `mqtt` member: Greengrass's names, defaults, and clear refusals. */
import { describe, expect, test } from "bun:test";
import { resolveAgentOptions } from "../../lib/config/mod.ts";

const base = {
  url: "mqtts://example.iot.us-east-1.amazonaws.com:8883",
  certPath: "/c.pem",
  keyPath: "/k.pem",
};

describe("the mqtt agent option", () => {
  test("resolveAgentOptions() has no bridge by default", () => {
    expect(resolveAgentOptions({}).mqtt).toBeNull();
  });

  test("resolveAgentOptions() applies the bridge's defaults (Greengrass's 2.5 MB spool)", () => {
    const { mqtt } = resolveAgentOptions({
      mqtt: {
        ...base,
        clientId: "thing-1",
        mqttTopicMapping: { up: { topic: "a/#", source: "Pubsub", target: "IotCore" } },
      },
    });
    expect(mqtt).toMatchObject({
      clientId: "thing-1",
      caPath: null,
      spooler: { maxSizeInBytes: 2_621_440, maxMessages: 10_000 },
      reconnectDelaySeconds: { min: 1, max: 120 },
      mqttTopicMapping: { up: { topic: "a/#", source: "Pubsub", target: "IotCore", targetTopicPrefix: "" } },
    });
  });

  test("resolveAgentOptions() names a bad url, mapping or certificate pair", () => {
    expect(() => resolveAgentOptions({ mqtt: { url: "http://broker" } })).toThrow(
      /'mqtt.url' must be mqtts:\/\/host:port or mqtt:\/\/host:port/,
    );
    expect(() =>
      resolveAgentOptions({
        mqtt: { ...base, mqttTopicMapping: { m: { topic: "a", source: "LocalMqtt", target: "Pubsub" } } },
      })
    ).toThrow(
      /'mqtt.mqttTopicMapping.m.source' must be Pubsub or IotCore \(LocalMqtt needs a local MQTT broker/,
    );
    expect(() =>
      resolveAgentOptions({
        mqtt: { ...base, mqttTopicMapping: { m: { topic: "a", source: "Pubsub", target: "Pubsub" } } },
      })
    ).toThrow(/source and target differ/);
    expect(() =>
      resolveAgentOptions({
        mqtt: { ...base, mqttTopicMapping: { m: { topic: "a/#/b", source: "Pubsub", target: "IotCore" } } },
      })
    ).toThrow(/must be a topic filter/);
    expect(() => resolveAgentOptions({ mqtt: { url: base.url, certPath: "/c.pem" } })).toThrow(
      /needs both certPath and keyPath/,
    );
    expect(() => resolveAgentOptions({ mqtt: { url: "mqtt://broker:1883", caPath: "/ca.pem" } })).toThrow(
      /must use an mqtts:\/\/ url/,
    );
  });
});
