/**
 * @module Provisioned concurrency on a real agent, driven by the AWS SDK for JavaScript v3: workers started ahead
 * with `AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency`, no cold start for the first invocations, kept past
 * the idle timeout, replaced when killed, started again after a restart, released when the configuration goes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  ListProvisionedConcurrencyConfigsCommand,
  ProvisionedConcurrencyConfigNotFoundException,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { agentCredentials, apiFetch } from "../helpers/api-client.ts";
import { createBody, deploy, eventually } from "../helpers/functions.ts";
import { runCli } from "../helpers/cli.ts";
import { AGENT_TEST_TIMEOUT_MS, CLI_TEST_TIMEOUT_MS } from "../helpers/timeouts.ts";
import { isRunning, killAll, processesWithEnv } from "../helpers/worker-processes.ts";

/** Answers how its worker was started; holds each invocation a little so that concurrent ones take separate workers. */
const HANDLER = `exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.holdMs ?? 0));
  return { initType: process.env.AWS_LAMBDA_INITIALIZATION_TYPE ?? null, pid: process.pid };
};
`;

interface Ran {
  initType: string | null;
  pid: number;
  report: string;
}

const NAME = "warm-fn";
const TIMEOUT = 60_000;

describe("provisioned concurrency on a running agent", () => {
  const dataDir = join(tempDir(), "data");
  const marker = `PC_MARKER_${crypto.randomUUID().replaceAll("-", "")}`;
  let agent: AgentProcess;
  let client: LambdaClient;

  async function connect(): Promise<void> {
    agent = await startAgentProcess({ dataDir });
    client = new LambdaClient({
      endpoint: agent.url,
      region: "us-east-1",
      credentials: agentCredentials(agent.url)!,
      maxAttempts: 1,
    });
  }

  /** Invokes version 1 `count` times at once; each answer with its REPORT line. */
  async function invokeAtOnce(count: number, holdMs = 400): Promise<Ran[]> {
    return await Promise.all(Array.from({ length: count }, async () => {
      const response = await client.send(
        new InvokeCommand({
          FunctionName: NAME,
          Qualifier: "1",
          LogType: "Tail",
          Payload: new TextEncoder().encode(JSON.stringify({ holdMs })),
        }),
      );
      expect(response.FunctionError).toBeUndefined();
      const body = JSON.parse(new TextDecoder().decode(response.Payload)) as Omit<Ran, "report">;
      const log = Buffer.from(response.LogResult ?? "", "base64").toString();
      return { ...body, report: log.split("\n").find((line) => line.startsWith("REPORT")) ?? "" };
    }));
  }

  async function status() {
    return (await client.send(
      new GetProvisionedConcurrencyConfigCommand({ FunctionName: NAME, Qualifier: "1" }),
    ));
  }

  /** Waits until version 1's pool has `count` provisioned workers idle and none starting. */
  async function idleWorkers(count: number): Promise<void> {
    await eventually(async () => {
      const response = await apiFetch(`${agent.url}/status`);
      const { functions } = await response.json() as {
        functions: {
          functionName: string;
          version: string;
          provisioned?: number;
          workers: { starting: number; idle: number };
        }[];
      };
      const pool = functions.find((item) => item.functionName === NAME && item.version === "1");
      return pool && pool.provisioned === count && pool.workers.starting === 0 && pool.workers.idle >= count
        ? true
        : undefined;
    }, TIMEOUT);
  }

  beforeAll(async () => {
    await connect();
    await deploy(
      agent.url,
      createBody(NAME, HANDLER, {
        Publish: true,
        Environment: { Variables: { [marker]: "1" } },
        Edge: { maxIdleTimeInSeconds: 1 },
      }),
    );
  }, AGENT_TEST_TIMEOUT_MS);

  afterAll(async () => {
    client?.destroy();
    await agent?.stop();
    killAll(processesWithEnv(marker));
  });

  test("refuses $LATEST and has no configuration before one is put", async () => {
    await expect(
      client.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: NAME,
          Qualifier: "$LATEST",
          ProvisionedConcurrentExecutions: 1,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(status()).rejects.toBeInstanceOf(ProvisionedConcurrencyConfigNotFoundException);
  });

  let provisioned: number[] = [];

  test(
    "two workers of version 1 are started ahead: READY, and two invocations at once pay no cold start",
    async () => {
      const put = await client.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: NAME,
          Qualifier: "1",
          ProvisionedConcurrentExecutions: 2,
        }),
      );
      expect(put).toMatchObject({ RequestedProvisionedConcurrentExecutions: 2, Status: "IN_PROGRESS" });
      expect(put.$metadata.httpStatusCode).toBe(202);
      const ready = await eventually(async () => {
        const got = await status();
        return got.Status === "READY" ? got : undefined;
      }, TIMEOUT);
      expect(ready).toMatchObject({
        RequestedProvisionedConcurrentExecutions: 2,
        AvailableProvisionedConcurrentExecutions: 2,
        AllocatedProvisionedConcurrentExecutions: 2,
      });
      const listed = await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: NAME }));
      expect(listed.ProvisionedConcurrencyConfigs?.map((item) => item.FunctionArn)).toEqual([
        `arn:aws:lambda:us-east-1:000000000000:function:${NAME}:1`,
      ]);
      await idleWorkers(2);
      const ran = await invokeAtOnce(2);
      provisioned = ran.map((one) => one.pid);
      expect(new Set(provisioned).size).toBe(2);
      for (const one of ran) {
        expect(one.initType).toBe("provisioned-concurrency");
        expect(one.report).toMatch(/^REPORT RequestId: /);
        expect(one.report).not.toContain("Init Duration");
      }
    },
    TIMEOUT * 2,
  );

  test("lambdalet's own CLI shows the configuration with the AWS CLI's commands", async () => {
    const run = async (...args: string[]) => {
      const result = await runCli([...args, "--function-name", NAME, "--endpoint-url", agent.url]);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    expect(await run("get-provisioned-concurrency-config", "--qualifier", "1")).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      Status: "READY",
    });
    expect(await run("list-provisioned-concurrency-configs")).toMatchObject({
      ProvisionedConcurrencyConfigs: [{
        FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${NAME}:1`,
      }],
    });
    const refused = await runCli([
      "put-provisioned-concurrency-config",
      "--function-name",
      NAME,
      "--qualifier",
      "$LATEST",
      "--provisioned-concurrent-executions",
      "1",
      "--endpoint-url",
      agent.url,
    ]);
    expect(refused.code).toBe(254);
    expect(refused.stderr).toContain("InvalidParameterValueException");
  }, CLI_TEST_TIMEOUT_MS);

  test("the provisioned workers outlive the idle timeout that reaps an on-demand one", async () => {
    await idleWorkers(2);
    const ran = await invokeAtOnce(3);
    const onDemand = ran.filter((one) => !provisioned.includes(one.pid));
    expect(onDemand).toHaveLength(1);
    expect(onDemand[0]!.initType).toBe("on-demand");
    expect(onDemand[0]!.report).toContain("Init Duration");
    // Edge.maxIdleTimeInSeconds is 1: the on-demand worker goes, the provisioned ones stay
    await eventually(() => isRunning(onDemand[0]!.pid) ? undefined : true, TIMEOUT);
    expect(provisioned.every(isRunning)).toBe(true);
  }, TIMEOUT * 2);

  test("a provisioned worker that is killed is replaced", async () => {
    const [killed, kept] = provisioned as [number, number];
    process.kill(killed, "SIGKILL");
    await eventually(() => isRunning(killed) ? undefined : true, TIMEOUT);
    // its replacement is a new process with the function's environment
    await eventually(
      () => processesWithEnv(marker).some((pid) => pid !== kept && pid !== killed) || undefined,
      TIMEOUT,
    );
    await idleWorkers(2);
    const ran = await invokeAtOnce(2);
    const pids = ran.map((one) => one.pid);
    provisioned = pids;
    expect(pids).toContain(kept);
    expect(pids).not.toContain(killed);
    for (const one of ran) {
      expect(one.initType).toBe("provisioned-concurrency");
      expect(one.report).not.toContain("Init Duration");
    }
    expect((await status()).Status).toBe("READY");
  }, TIMEOUT * 2);

  test("a restarted agent provisions the workers again", async () => {
    client.destroy();
    expect(await agent.stop()).toBe(0);
    await connect();
    const ready = await eventually(async () => {
      const got = await status();
      return got.Status === "READY" ? got : undefined;
    }, TIMEOUT);
    expect(ready.AvailableProvisionedConcurrentExecutions).toBe(2);
    await idleWorkers(2);
    const ran = await invokeAtOnce(2);
    provisioned = ran.map((one) => one.pid);
    for (const one of ran) {
      expect(one.initType).toBe("provisioned-concurrency");
      expect(one.report).not.toContain("Init Duration");
    }
  }, TIMEOUT * 2);

  test("deleting the configuration lets the workers go", async () => {
    await client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: NAME, Qualifier: "1" }));
    await expect(status()).rejects.toBeInstanceOf(ProvisionedConcurrencyConfigNotFoundException);
    // released, they are on-demand workers again: reaped after the 1 s idle timeout
    await eventually(() => provisioned.some(isRunning) ? undefined : true, TIMEOUT);
  }, TIMEOUT * 2);
});
