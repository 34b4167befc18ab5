/** @module Local publish/subscribe end to end: wildcard fan-out, FIFO per function, receive modes, payload encodings, the door. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { signRequest } from "../../lib/auth/mod.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { runCli } from "../helpers/cli.ts";
import { createBody, deploy, eventually, HANDLERS, invoke, readJson } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";
import { deliveries, pubsubFunction } from "../helpers/pubsub.ts";
import { CLI_TEST_TIMEOUT_MS } from "../helpers/timeouts.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";

// every test waits for workers to start and events to run
setDefaultTimeout(30_000);

interface PublishAnswer {
  Topic: string;
  Subscribers: number;
  MessageIds: string[];
}

interface PublishedByFunction {
  status: number;
  type: string | null;
  body: PublishAnswer;
}

describe("local publish/subscribe", () => {
  let agent: AgentProcess;
  const work = workerWritableDir("lambdalet-pubsub-");
  const log = join(work, "deliveries");
  const publish = (topicPath: string, body: string | Uint8Array) =>
    apiFetch(`${agent.url}/topics/${topicPath}`, { method: "POST", body });
  const delivered = (subject: string) => deliveries(log).filter((line) => line.subject === subject);
  /** Has `name` publish `message` to `topic` with its worker's own credentials. */
  const publishAs = async (name: string, topic: string, message: unknown) =>
    await readJson<PublishedByFunction>(
      await invoke(agent.url, name, JSON.stringify({ publish: { topic, message } })),
    );

  beforeAll(async () => {
    mkdirSync(log);
    chmodSync(log, 0o1777); // each function writes a file of its own there, as its own uid
    const config = join(work, "lambdalet.json");
    writeFileSync(config, JSON.stringify({ eventRetryDelaysSeconds: [0.2, 0.4], asyncConcurrency: 8 }));
    agent = await startAgentProcess({ dataDir: join(work, "data"), flags: ["--config", config] });
    const subscriber = (name: string, topics: string[], edge: Record<string, unknown> = {}) =>
      deploy(
        agent.url,
        pubsubFunction(name, log, {
          eventSources: topics.map((topic) => ({ type: "PUB_SUB", topic })),
          ...edge,
        }),
      );
    await subscriber("plus", ["fan/+/c"]);
    await subscriber("hash", ["fan/#"]);
    await subscriber("exact", ["fan/b/c", "mixed/t"]);
    await subscriber("elsewhere", ["other/#"]);
    await subscriber("fifo", ["fifo/t"]);
    await subscriber("bin", ["bin/#", "mixed/#"], { inputPayloadEncodingType: "binary" });
    await subscriber("talker", ["chat/room"], { publishTopics: ["chat/#"] });
    await subscriber("listener", ["chat/#"]);
    await deploy(
      agent.url,
      pubsubFunction("loud", log, {
        eventSources: [{ type: "PUB_SUB", topic: "chat/loud", receiveMode: "RECEIVE_ALL_MESSAGES" }],
        publishTopics: ["chat/loud"],
      }),
    );
    await subscriber("invoker", [], { invokeFunctions: ["plus"] });
    await deploy(agent.url, createBody("plain", HANDLERS.counter));
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
  });

  describe("fan-out", () => {
    test("a message reaches every function whose filter matches (+, # and exact), once each, with its topic", async () => {
      const response = await publish("fan/b/c", JSON.stringify({ reading: 21.5 }));
      expect(response.status).toBe(200);
      const answer = await readJson<PublishAnswer>(response);
      expect(answer.Topic).toBe("fan/b/c");
      expect(answer.Subscribers).toBe(3);
      const seen = await eventually(() => {
        const lines = delivered("fan/b/c");
        return lines.length >= 3 ? lines : undefined;
      });
      await Bun.sleep(300); // nothing more comes
      expect(delivered("fan/b/c").map((line) => line.fn).sort()).toEqual(["exact", "hash", "plus"]);
      expect(seen.every((line) => JSON.stringify(line.event) === '{"reading":21.5}')).toBe(true);
      expect(seen.map((line) => line.id).sort()).toEqual([...answer.MessageIds].sort());
    });

    test("# matches its parent level; percent-encoded levels are decoded one by one", async () => {
      const parent = await readJson<PublishAnswer>(await publish("fan", "{}"));
      expect(parent.Subscribers).toBe(1);
      const spaced = await readJson<PublishAnswer>(await publish("fan/b%20x/c", '"spaced"'));
      expect(spaced).toMatchObject({ Topic: "fan/b x/c", Subscribers: 2 });
      await eventually(() => delivered("fan/b x/c").length === 2 || undefined);
      expect(delivered("fan/b x/c").map((line) => line.fn).sort()).toEqual(["hash", "plus"]);
      expect(delivered("fan").map((line) => line.fn)).toEqual(["hash"]);
    });

    test("a topic nobody subscribes to is accepted with no subscribers", async () => {
      expect(await readJson<PublishAnswer>(await publish("nobody/here", "not json"))).toEqual({
        Topic: "nobody/here",
        Subscribers: 0,
        MessageIds: [],
      });
    });

    test("/status lists each function's subscriptions", async () => {
      const status = await readJson<{ subscriptions: unknown[] }>(await apiFetch(`${agent.url}/status`));
      expect(status.subscriptions).toContainEqual({
        functionName: "loud",
        topic: "chat/loud",
        receiveMode: "RECEIVE_ALL_MESSAGES",
      });
      expect(status.subscriptions).toContainEqual({
        functionName: "plus",
        topic: "fan/+/c",
        receiveMode: "RECEIVE_MESSAGES_FROM_OTHERS",
      });
    });

    test("a changed subscription takes effect at once", async () => {
      const update = await apiFetch(`${agent.url}/2015-03-31/functions/elsewhere/configuration`, {
        method: "PUT",
        body: JSON.stringify({ Edge: { eventSources: [{ type: "PUB_SUB", topic: "moved/here" }] } }),
      });
      expect(update.status).toBe(200);
      expect((await readJson<PublishAnswer>(await publish("other/x", "{}"))).Subscribers).toBe(0);
      expect((await readJson<PublishAnswer>(await publish("moved/here", "{}"))).Subscribers).toBe(1);
    });

    test(
      "`lambdalet publish` sends a message from the command line",
      async () => {
        const result = await runCli([
          "publish",
          "--topic",
          "fan/cli/c",
          "--payload",
          '{"from":"cli"}',
          "--endpoint-url",
          agent.url,
        ]);
        expect(result.code).toBe(0);
        expect(JSON.parse(result.stdout)).toMatchObject({ Topic: "fan/cli/c", Subscribers: 2 });
        await eventually(() => delivered("fan/cli/c").length === 2 || undefined);
        const bad = await runCli([
          "publish",
          "--topic",
          "fan/+",
          "--payload",
          "{}",
          "--endpoint-url",
          agent.url,
        ]);
        expect(bad.code).toBe(254);
        expect(bad.stderr).toContain("InvalidParameterValueException");
      },
      CLI_TEST_TIMEOUT_MS,
    );
  });

  describe("order", () => {
    test(
      "a function's messages run one after another in publish order, a retry holding the line",
      async () => {
        const count = 8;
        for (let seq = 1; seq <= count; seq++) {
          const message = { seq, sleep: seq === 1 ? 1500 : 20, ...(seq === 3 ? { failOnce: "three" } : {}) };
          expect((await publish("fifo/t", JSON.stringify(message))).status).toBe(200);
        }
        // the first message takes 1.5 s: meanwhile a plain Event invoke of another function runs, and fifo waits
        await eventually(() => delivered("fifo/t").length === 1 || undefined);
        await invoke(agent.url, "exact", JSON.stringify({ plain: true }), {
          "X-Amz-Invocation-Type": "Event",
        });
        await eventually(() =>
          deliveries(log).some((line) => line.fn === "exact" && (line.event as { plain?: boolean })?.plain) ||
          undefined
        );
        expect(delivered("fifo/t").length).toBe(1);
        const lines = await eventually(() => {
          const found = delivered("fifo/t");
          return found.length >= count + 1 ? found : undefined;
        }, 20_000);
        // 3 fails once and is retried before 4 starts
        expect(lines.map((line) => (line.event as { seq: number }).seq)).toEqual([1, 2, 3, 3, 4, 5, 6, 7, 8]);
      },
      30_000,
    );
  });

  describe("receive modes and encodings", () => {
    test("a function is not triggered by its own publish; others are", async () => {
      const answer = await publishAs("talker", "chat/room", { said: "hi" });
      expect(answer.status).toBe(200);
      expect(answer.body.Subscribers).toBe(1);
      await eventually(() => delivered("chat/room").length === 1 || undefined);
      await Bun.sleep(300);
      expect(delivered("chat/room").map((line) => line.fn)).toEqual(["listener"]);
    }, 30_000);

    test("RECEIVE_ALL_MESSAGES hears its own publish", async () => {
      const answer = await publishAs("loud", "chat/loud", { said: "echo" });
      expect(answer.body.Subscribers).toBe(2);
      await eventually(() => delivered("chat/loud").length === 2 || undefined);
      expect(delivered("chat/loud").map((line) => line.fn).sort()).toEqual(["listener", "loud"]);
    }, 30_000);

    test("a binary subscriber gets the raw bytes", async () => {
      const bytes = new Uint8Array([0, 255, 1, 128, 10]);
      expect((await readJson<PublishAnswer>(await publish("bin/raw", bytes))).Subscribers).toBe(1);
      const [line] = await eventually(() => {
        const found = delivered("bin/raw");
        return found.length ? found : undefined;
      });
      expect(line!.event).toEqual({ base64: Buffer.from(bytes).toString("base64") });
    });

    test("a message that is not JSON is refused when a subscriber takes JSON, and goes to nobody", async () => {
      const refused = await publish("mixed/t", "not json");
      await expectLambdaError(refused, 400, "InvalidRequestContentException");
      await Bun.sleep(300);
      expect(delivered("mixed/t")).toEqual([]);
      expect((await readJson<PublishAnswer>(await publish("mixed/t", '{"ok":1}'))).Subscribers).toBe(2);
    });
  });

  describe("the door", () => {
    test("an unsigned publish is refused with MissingAuthenticationTokenException", async () => {
      const response = await fetch(`${agent.url}/topics/fan/b/c`, { method: "POST", body: "{}" });
      await expectLambdaError(response, 403, "MissingAuthenticationTokenException");
    });

    test("an invoke key may not publish", async () => {
      const created = await readJson<{ AccessKeyId: string; SecretAccessKey: string }>(
        await apiFetch(`${agent.url}/lambdalet/v1/keys`, {
          method: "POST",
          body: JSON.stringify({ Scope: "invoke", Functions: ["*"] }),
        }),
      );
      const url = `${agent.url}/topics/fan/b/c`;
      const headers = await signRequest(
        { method: "POST", url, body: "{}" },
        { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey },
        "us-east-1",
      );
      await expectLambdaError(
        await fetch(url, { method: "POST", headers, body: "{}" }),
        403,
        "AccessDeniedException",
      );
    });

    test("a function publishes only to its publishTopics; without any it cannot publish", async () => {
      const elsewhere = await publishAs("talker", "fan/b/c", { sneaky: true });
      expect([elsewhere.status, elsewhere.type]).toEqual([403, "AccessDeniedException"]);
      // invoker has credentials (to invoke plus) but no publishTopics
      const invoker = await publishAs("invoker", "chat/room", { sneaky: true });
      expect([invoker.status, invoker.type]).toEqual([403, "AccessDeniedException"]);
      // loud may publish to chat/loud only, not to chat/room
      const loud = await publishAs("loud", "chat/room", { sneaky: true });
      expect([loud.status, loud.type]).toEqual([403, "AccessDeniedException"]);
      await Bun.sleep(300);
      expect(
        deliveries(log).some((line) =>
          line.subject !== null && JSON.stringify(line.event).includes("sneaky")
        ),
      )
        .toBe(false);
    }, 30_000);

    test("bad topic names are refused with InvalidParameterValueException", async () => {
      for (const path of ["fan/+/c", "fan/%23", "", "%24SYS/x", "x".repeat(257), "bad%ZZ"]) {
        const body = await expectLambdaError(
          await publish(path, "{}"),
          400,
          "InvalidParameterValueException",
        );
        expect(body.message.length).toBeGreaterThan(0);
      }
    });

    test("a message over 256 KB is refused with RequestTooLargeException", async () => {
      const big = JSON.stringify({ pad: "x".repeat(256 * 1024) });
      await expectLambdaError(await publish("fan/b/c", big), 413, "RequestTooLargeException");
    });
  });
});
