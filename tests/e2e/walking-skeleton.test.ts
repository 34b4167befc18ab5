/** @module The whole path once: serve, create-function, invoke, restart; from source and as a compiled binary. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../../scripts/build.ts";
import { type AgentProcess, SOURCE_COMMAND, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { runCli } from "../helpers/cli.ts";
import { processIsAlive } from "../helpers/process.ts";
import { createBody, createFunction, HANDLERS, handlerZip, invoke, readJson } from "../helpers/functions.ts";

interface Counter {
  count: number;
  pid: number;
}

function walkingSkeleton(label: string, getCommand: () => Promise<readonly string[]>): void {
  describe(label, () => {
    let command: readonly string[];
    let agent: AgentProcess;
    let work: string;

    beforeAll(async () => {
      command = await getCommand();
      work = tempDir("lambdalet-e2e-");
      agent = await startAgentProcess({ command, dataDir: join(work, "data"), cwd: work });
      for (const [name, source] of Object.entries(HANDLERS)) {
        if (name === "greeting") continue;
        const response = await createFunction(
          agent.url,
          createBody(name, source, { Environment: { Variables: { GREETING: "hi" } } }),
        );
        expect(response.status).toBe(201);
      }
    }, 60_000);

    afterAll(async () => {
      await agent?.stop();
    });

    test("create-function through the CLI answers 201 with a Lambda FunctionConfiguration", async () => {
      writeFileSync(join(work, "hello.zip"), handlerZip(HANDLERS.greeting));
      const result = await runCli([
        "create-function",
        "--function-name",
        "hello",
        "--runtime",
        "nodejs20.x",
        "--role",
        "arn:aws:iam::123456789012:role/lambda-role",
        "--handler",
        "index.handler",
        "--zip-file",
        `fileb://${join(work, "hello.zip")}`,
        "--description",
        "the seed's greeting",
        "--timeout",
        "5",
        "--memory-size",
        "256",
        "--environment",
        "Variables={STAGE=test,COLOR=blue}",
        "--tags",
        "team=edge",
        "--endpoint-url",
        agent.url,
      ], { command, cwd: work });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const config = JSON.parse(result.stdout);
      expect(config).toMatchObject({
        FunctionName: "hello",
        FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Description: "the seed's greeting",
        Timeout: 5,
        MemorySize: 256,
        Version: "$LATEST",
        State: "Active",
        Environment: { Variables: { STAGE: "test", COLOR: "blue" } },
      });
      const zip = readFileSync(join(work, "hello.zip"));
      expect(config.CodeSize).toBe(zip.byteLength);
      expect(config.CodeSha256).toBe(new Bun.CryptoHasher("sha256").update(zip).digest("base64"));
      expect(config.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    });

    test("invoke through the CLI writes the seed's greeting to the outfile and prints the AWS CLI's metadata", async () => {
      writeFileSync(join(work, "input.txt"), '{"name":"Roy Singh", "addr":"Mumbai"}');
      const result = await runCli([
        "invoke",
        "--function-name",
        "hello",
        "--payload",
        `file://${join(work, "input.txt")}`,
        "--endpoint-url",
        agent.url,
        join(work, "outputfile.txt"),
      ], { command, cwd: work });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ StatusCode: 200, ExecutedVersion: "$LATEST" });
      expect(readFileSync(join(work, "outputfile.txt"), "utf8")).toBe(
        '"Hello Roy Singh and address is Mumbai"',
      );
    });

    test("invoke over raw HTTP answers 200 with the result, X-Amz-Executed-Version and a request id", async () => {
      const response = await invoke(agent.url, "hello", '{"name":"Ada","addr":"London"}');
      expect(response.status).toBe(200);
      expect(response.headers.get("x-amz-executed-version")).toBe("$LATEST");
      expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get("x-amz-function-error")).toBeNull();
      expect(await response.json()).toBe("Hello Ada and address is London");
    });

    test("a warm worker keeps module state between invocations (execution-context reuse)", async () => {
      const first = await readJson<Counter>(await invoke(agent.url, "counter"));
      const second = await readJson<Counter>(await invoke(agent.url, "counter"));
      expect(second.pid).toBe(first.pid);
      expect(second.count).toBe(first.count + 1);
    });

    test("a callback-style handler answers through its callback, with the request id in its context", async () => {
      const response = await invoke(agent.url, "callback", '{"k":[1,2]}');
      const body = await readJson<{ echoed: unknown; requestId: string }>(response);
      expect(body.echoed).toEqual({ k: [1, 2] });
      expect(body.requestId).toBe(response.headers.get("x-amzn-requestid") ?? "missing");
    });

    test("a throwing handler answers 200 with X-Amz-Function-Error: Unhandled and the error as JSON", async () => {
      const response = await invoke(agent.url, "throwing");
      expect(response.status).toBe(200);
      expect(response.headers.get("x-amz-function-error")).toBe("Unhandled");
      const body = await readJson<{ errorType: string; errorMessage: string; trace: string[] }>(response);
      expect(body.errorType).toBe("ValidationError");
      expect(body.errorMessage).toBe("the order has no items");
      expect(body.trace[0]).toContain("ValidationError: the order has no items");
      const again = await invoke(agent.url, "throwing");
      expect(again.status).toBe(200);
    });

    test("the worker gets Lambda's environment, with the function's own variables", async () => {
      const body = await readJson<{ functionName: string; remaining: number; env: Record<string, string> }>(
        await invoke(agent.url, "environment"),
      );
      expect(body.functionName).toBe("environment");
      expect(body.remaining).toBeGreaterThan(0);
      expect(body.remaining).toBeLessThanOrEqual(3000);
      expect(body.env).toMatchObject({
        GREETING: "hi",
        _HANDLER: "index.handler",
        AWS_LAMBDA_FUNCTION_NAME: "environment",
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
        AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/environment",
        AWS_REGION: "us-east-1",
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x",
        TZ: ":UTC",
      });
      expect(body.env.AWS_LAMBDA_RUNTIME_API).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(body.env.LAMBDA_TASK_ROOT).toStartWith(agent.dataDir);
      // the native libraries a zip carries in lib/ are found where the code is, as on Lambda at /var/task/lib
      expect(body.env.LD_LIBRARY_PATH!.split(":")).toContain(`${body.env.LAMBDA_TASK_ROOT}/lib`);
    });

    test(
      "after SIGTERM the agent exits 0 and its workers are gone; on restart the function is still there",
      async () => {
        const { pid } = await readJson<Counter>(await invoke(agent.url, "counter"));
        expect(processIsAlive(pid)).toBe(true);
        expect(await agent.stop()).toBe(0);
        expect(processIsAlive(pid)).toBe(false);
        agent = await startAgentProcess({ command, dataDir: agent.dataDir, cwd: work });
        const response = await invoke(agent.url, "hello", '{"name":"Roy Singh", "addr":"Mumbai"}');
        expect(await response.json()).toBe("Hello Roy Singh and address is Mumbai");
        const counter = await readJson<Counter>(await invoke(agent.url, "counter"));
        expect(counter.count).toBe(1);
      },
      30_000,
    );
  });
}

walkingSkeleton("lambdalet from source", () => Promise.resolve(SOURCE_COMMAND));

walkingSkeleton("the compiled linux-x64 binary, run from an empty folder", async () => {
  const binary = await buildBinary("x64", tempDir("lambdalet-bin-"));
  return [binary];
});
