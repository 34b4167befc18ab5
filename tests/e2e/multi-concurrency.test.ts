/** @module Functions that opt in to several invocations at once per worker (`Edge.maxConcurrency`), through the agent. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { createBodyWith, createFunction, deploy, invokeTail, readJson } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";

const SLEEPER = `exports.handler = async (event, context) => {
  const started = Date.now();
  console.log("working on", event.n);
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 300));
  return { pid: process.pid, started, ended: Date.now(), max: process.env.AWS_LAMBDA_MAX_CONCURRENCY ?? null };
};`;

interface Answer {
  pid: number;
  started: number;
  ended: number;
  max: string | null;
}

interface Configuration {
  Edge: { maxConcurrency: number };
}

describe("Edge.maxConcurrency", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
  });

  afterAll(async () => {
    await agent?.stop();
  });

  const configuration = async (name: string) =>
    await readJson<Configuration>(await apiFetch(`${agent.url}/2015-03-31/functions/${name}/configuration`));

  test("defaults to 1, and Lambda's PerExecutionEnvironmentMaxConcurrency sets it", async () => {
    await deploy(agent.url, createBodyWith("single", "nodejs20.x", "index.handler", { "index.js": SLEEPER }));
    expect((await configuration("single")).Edge.maxConcurrency).toBe(1);
    await deploy(
      agent.url,
      createBodyWith("managed", "python3.11", "app.handler", {
        "app.py": "def handler(e, c):\n    return 1\n",
      }, {
        CapacityProviderConfig: {
          LambdaManagedInstancesCapacityProviderConfig: {
            CapacityProviderArn: "arn:aws:lambda:us-east-1:000000000000:capacity-provider:device",
            PerExecutionEnvironmentMaxConcurrency: 8,
          },
        },
      }),
    );
    expect((await configuration("managed")).Edge.maxConcurrency).toBe(8);
  });

  test("a value out of range, a Java function or a pinned one asking for more than one, is refused", async () => {
    const tooMany = await createFunction(
      agent.url,
      createBodyWith("too-many", "nodejs20.x", "index.handler", { "index.js": SLEEPER }, {
        Edge: { maxConcurrency: 65 },
      }),
    );
    expect((await expectLambdaError(tooMany, 400, "InvalidParameterValueException")).message).toContain(
      "maxConcurrency",
    );
    const java = await createFunction(
      agent.url,
      createBodyWith("java-concurrent", "java21", "example.Handler::handleRequest", { "x.txt": "" }, {
        Edge: { maxConcurrency: 2 },
      }),
    );
    expect((await expectLambdaError(java, 400, "InvalidParameterValueException")).message).toContain(
      "one invocation at a time",
    );
    const pinned = await createFunction(
      agent.url,
      createBodyWith("pinned-concurrent", "nodejs20.x", "index.handler", { "index.js": SLEEPER }, {
        Edge: { maxConcurrency: 2, pinned: true },
      }),
    );
    expect((await expectLambdaError(pinned, 400, "InvalidParameterValueException")).message).toContain(
      "needs an on-demand function",
    );
  });

  for (const runtime of ["nodejs20.x", "bun1.x"]) {
    test(`${runtime}: 4 invocations at once share one worker, each with its own Tail log`, async () => {
      const name = `concurrent-${runtime.replace(/\W/g, "")}`;
      await deploy(
        agent.url,
        createBodyWith(name, runtime, "index.handler", { "index.js": SLEEPER }, {
          Edge: { maxConcurrency: 4 },
        }),
      );
      const results = await Promise.all(
        [1, 2, 3, 4].map((n) => invokeTail<Answer>(agent.url, name, JSON.stringify({ n, ms: 600 }))),
      );
      expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200]);
      const answers = results.map((result) => result.body);
      expect(new Set(answers.map((answer) => answer.pid)).size).toBe(1);
      expect(answers.every((answer) => answer.max === "4")).toBe(true);
      const lastStart = Math.max(...answers.map((answer) => answer.started));
      expect(lastStart).toBeLessThan(Math.min(...answers.map((answer) => answer.ended)));
      results.forEach((result, index) => expect(result.log).toContain(`working on ${index + 1}`));
    });
  }
});
