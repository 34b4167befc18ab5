/** @module Event invocations: durable before the 202, retried, aged out, sent to destinations or dead letters. */
import { apiFetch } from "../helpers/api-client.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";
import { runCli } from "../helpers/cli.ts";
import { createBodyWith, deploy, eventually, invoke, readJson } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";

/** Appends `<request id> <event.tag>` to event.log, then fails when event.fail is set. */
const RECORDER = `const fs = require("node:fs");
exports.handler = async (event, context) => {
  fs.appendFileSync(event.log, context.awsRequestId + " " + (event.tag ?? "") + "\\n");
  if (event.sleep) await new Promise((resolve) => setTimeout(resolve, event.sleep));
  if (event.fail) throw new Error("failing on purpose: " + event.tag);
  return { ok: event.tag };
};
`;

/** Writes each destination record it receives to event-records.jsonl next to the log named in it. */
const DESTINATION = `const fs = require("node:fs");
exports.handler = async (record) => {
  fs.appendFileSync(record.requestPayload.log + ".records", JSON.stringify(record) + "\\n");
  return null;
};
`;

interface DestinationRecord {
  timestamp: string;
  requestContext: { requestId: string; condition: string };
  responseContext: { functionError?: string };
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").trim().split("\n").filter(Boolean) : [];
}

function agentConfig(dir: string): string {
  const path = join(dir, "lambdalet.json");
  writeFileSync(path, JSON.stringify({ eventRetryDelaysSeconds: [0.2, 0.4], asyncConcurrency: 8 }));
  return path;
}

describe("Event invocations", () => {
  let agent: AgentProcess;
  const work = workerWritableDir("lambdalet-events-");
  const event = (name: string, body: Record<string, unknown>) =>
    invoke(agent.url, name, JSON.stringify(body), { "X-Amz-Invocation-Type": "Event" });
  const putConfig = (name: string, body: Record<string, unknown>, method = "PUT") =>
    apiFetch(`${agent.url}/2019-09-25/functions/${name}/event-invoke-config`, {
      method,
      body: JSON.stringify(body),
    });
  const destinationArn = "arn:aws:lambda:us-east-1:000000000000:function:destination";

  beforeAll(async () => {
    agent = await startAgentProcess({ dataDir: join(work, "data"), flags: ["--config", agentConfig(work)] });
    for (const name of ["recorder", "retry0", "to-destinations"]) {
      await deploy(agent.url, createBodyWith(name, "nodejs20.x", "index.handler", { "index.js": RECORDER }));
    }
    await deploy(
      agent.url,
      createBodyWith("destination", "nodejs20.x", "index.handler", { "index.js": DESTINATION }),
    );
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("an Event answers 202 with the request id the handler then sees", async () => {
    const log = join(work, "simple.log");
    const response = await event("recorder", { log, tag: "simple" });
    expect(response.status).toBe(202);
    const id = response.headers.get("x-amzn-requestid");
    const seen = await eventually(() => lines(log)[0]);
    expect(seen).toBe(`${id} simple`);
  });

  test("a failing event runs 1 + MaximumRetryAttempts times with one request id, then becomes a dead letter", async () => {
    const log = join(work, "retries.log");
    const response = await event("recorder", { log, tag: "retried", fail: true });
    const id = response.headers.get("x-amzn-requestid");
    await eventually(() => (lines(log).length >= 3 ? true : undefined), 10_000);
    await Bun.sleep(300);
    expect(lines(log)).toEqual([`${id} retried`, `${id} retried`, `${id} retried`]);
    const listed = await runCli([
      "dead-letters",
      "list",
      "--function-name",
      "recorder",
      "--endpoint-url",
      agent.url,
    ]);
    const letters = JSON.parse(listed.stdout).DeadLetters as {
      RequestId: string;
      Condition: string;
      Attempts: number;
    }[];
    expect(letters).toMatchObject([{ RequestId: id, Condition: "RetriesExhausted", Attempts: 3 }]);
    const replayed = await runCli([
      "dead-letters",
      "replay",
      "--function-name",
      "recorder",
      "--endpoint-url",
      agent.url,
    ]);
    expect(JSON.parse(replayed.stdout)).toEqual({ Replayed: 1 });
    await eventually(() => (lines(log).length >= 6 ? true : undefined), 10_000);
    const purged = await runCli(["dead-letters", "purge", "--endpoint-url", agent.url]);
    expect(JSON.parse(purged.stdout)).toEqual({ Purged: 1 });
  });

  test("MaximumRetryAttempts 0 runs a failing event once", async () => {
    const configured = await putConfig("retry0", { MaximumRetryAttempts: 0 });
    expect(configured.status).toBe(200);
    const body = await readJson<Record<string, unknown>>(configured);
    expect(body).toMatchObject({
      FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:retry0",
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 21600,
    });
    expect(typeof body.LastModified).toBe("number");
    const log = join(work, "once.log");
    await event("retry0", { log, tag: "once", fail: true });
    await eventually(() => lines(log)[0]);
    await Bun.sleep(800);
    expect(lines(log).length).toBe(1);
  });

  test("OnSuccess and OnFailure destinations get Lambda's invocation record", async () => {
    const put = await putConfig("to-destinations", {
      MaximumRetryAttempts: 1,
      DestinationConfig: {
        OnSuccess: { Destination: destinationArn },
        OnFailure: { Destination: destinationArn },
      },
    });
    expect(put.status).toBe(200);
    const log = join(work, "dest.log");
    const ok = (await event("to-destinations", { log, tag: "good" })).headers.get("x-amzn-requestid");
    const bad = (await event("to-destinations", { log, tag: "bad", fail: true })).headers.get(
      "x-amzn-requestid",
    );
    const records = await eventually(() => {
      const found = lines(`${log}.records`).map((line) => JSON.parse(line) as DestinationRecord);
      return found.length >= 2 ? found : undefined;
    }, 10_000);
    const success = records.find((record) => record.requestContext.requestId === ok)!;
    expect(success).toMatchObject({
      version: "1.0",
      requestContext: {
        functionArn: "arn:aws:lambda:us-east-1:000000000000:function:to-destinations",
        condition: "Success",
        approximateInvokeCount: 1,
      },
      requestPayload: { log, tag: "good" },
      responseContext: { statusCode: 200, executedVersion: "$LATEST" },
      responsePayload: { ok: "good" },
    });
    expect(success.responseContext.functionError).toBeUndefined();
    const failure = records.find((record) => record.requestContext.requestId === bad)!;
    expect(failure).toMatchObject({
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 2 },
      responseContext: { functionError: "Unhandled" },
      responsePayload: { errorType: "Error", errorMessage: "failing on purpose: bad" },
    });
    expect(new Date(failure.timestamp).getTime()).toBeGreaterThan(0);
  });

  test("bad event invoke configurations are refused with Lambda's errors", async () => {
    await expectLambdaError(
      await putConfig("recorder", { MaximumRetryAttempts: 3 }),
      400,
      "InvalidParameterValueException",
    );
    await expectLambdaError(
      await putConfig("recorder", { MaximumEventAgeInSeconds: 30 }),
      400,
      "InvalidParameterValueException",
    );
    await expectLambdaError(
      await putConfig("recorder", {
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:q" } },
      }),
      400,
      "InvalidParameterValueException",
    );
    await expectLambdaError(
      await putConfig("recorder", {
        DestinationConfig: {
          OnFailure: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:ghost" },
        },
      }),
      404,
      "ResourceNotFoundException",
    );
    await expectLambdaError(
      await putConfig("recorder", { MaximumRetryAttempts: 1 }, "POST"),
      404,
      "ResourceNotFoundException",
    );
    await expectLambdaError(
      await apiFetch(`${agent.url}/2019-09-25/functions/recorder/event-invoke-config`),
      404,
      "ResourceNotFoundException",
    );
  });
});

describe("Event durability", () => {
  test(
    "an acknowledged event survives kill -9 and runs after the restart; one too old goes to OnFailure",
    async () => {
      const work = workerWritableDir("lambdalet-durable-");
      const dataDir = join(work, "data");
      const config = agentConfig(work);
      let agent = await startAgentProcess({ dataDir, flags: ["--config", config] });
      await deploy(
        agent.url,
        createBodyWith("slow", "nodejs20.x", "index.handler", { "index.js": RECORDER }),
      );
      await deploy(
        agent.url,
        createBodyWith("destination", "nodejs20.x", "index.handler", { "index.js": DESTINATION }),
      );
      await apiFetch(`${agent.url}/2019-09-25/functions/slow/event-invoke-config`, {
        method: "PUT",
        body: JSON.stringify({
          DestinationConfig: {
            OnFailure: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:destination" },
          },
        }),
      });
      const log = join(work, "slow.log");
      const response = await invoke(
        agent.url,
        "slow",
        JSON.stringify({ log, tag: "survivor", sleep: 2000 }),
        {
          "X-Amz-Invocation-Type": "Event",
        },
      );
      expect(response.status).toBe(202);
      const id = response.headers.get("x-amzn-requestid");
      agent.proc.kill("SIGKILL");
      await agent.proc.exited;
      // an event accepted long ago: older than its maximum age when the agent comes back
      const db = new Database(join(dataDir, "lambdalet.db"));
      db.run(
        "INSERT INTO events (id, function_name, version, invoked_arn, payload, enqueued_at, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
        [
          "old-event",
          "slow",
          "$LATEST",
          "arn:aws:lambda:us-east-1:000000000000:function:slow",
          new TextEncoder().encode(JSON.stringify({ log, tag: "old" })),
          Date.now() - 7 * 3600 * 1000,
        ],
      );
      db.close();
      agent = await startAgentProcess({ dataDir, flags: ["--config", config] });
      try {
        const seen = await eventually(
          () => lines(log).find((line) => line.endsWith("survivor") && line.startsWith(`${id}`)),
          10_000,
        );
        expect(seen).toBe(`${id} survivor`);
        const record = await eventually(() => lines(`${log}.records`)[0], 10_000);
        expect(JSON.parse(record)).toMatchObject({
          requestContext: {
            requestId: "old-event",
            condition: "EventAgeExceeded",
            approximateInvokeCount: 0,
          },
        });
        expect(lines(log).some((line) => line.endsWith(" old"))).toBe(false);
      } finally {
        await agent.stop();
      }
    },
    30_000,
  );
});
