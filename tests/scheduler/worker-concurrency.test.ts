/** @module One worker running several invocations at once (`Edge.maxConcurrency`), with real nodejs and python runtimes. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  configFromCreate,
  CreateFunctionInputSchema,
  DEFAULT_FUNCTION_UID_RANGE,
  parseInput,
} from "../../lib/config/mod.ts";
import type { WorkerLogEntry } from "../../lib/logs/mod.ts";
import type { InvocationOutcome, InvocationRequest } from "../../lib/runtime-api/mod.ts";
import { RuntimeHost } from "../../lib/runtimes/mod.ts";
import { Sandbox } from "../../lib/sandbox/mod.ts";
import type { FunctionTarget } from "../../lib/scheduler/mod.ts";
import { Worker } from "../../lib/scheduler/worker.ts";
import type { InvocationResult } from "../../lib/scheduler/worker-types.ts";
import { tempDir } from "../helpers/agent-process.ts";
import { eventually } from "../helpers/functions.ts";
import { hostWithoutContainers } from "../helpers/host-isolation.ts";

const NODE_HANDLER = `exports.handler = async (event) => {
  const started = Date.now();
  console.log("working on", event.n);
  if (event.exit) setTimeout(() => process.exit(7), 50);
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 300));
  return { pid: process.pid, started, ended: Date.now(), max: process.env.AWS_LAMBDA_MAX_CONCURRENCY ?? null };
};`;

const PYTHON_HANDLER = `import logging, os, time
logging.getLogger().setLevel(logging.INFO)
def handler(event, context):
    started = int(time.time() * 1000)
    logging.info("working on %s", event.get("n"))
    time.sleep(event.get("ms", 300) / 1000)
    return {"pid": os.getpid(), "ppid": os.getppid(), "started": started, "ended": int(time.time() * 1000),
            "max": os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY")}
`;

interface Answer {
  pid: number;
  ppid?: number;
  started: number;
  ended: number;
  max: string | null;
}

const decode = (outcome: InvocationOutcome) => new TextDecoder().decode(outcome.body);
const answerOf = (result: InvocationResult) => JSON.parse(decode(result.outcome)) as Answer;

describe("a worker with maxConcurrency", () => {
  let host: RuntimeHost;
  let sandbox: Sandbox;
  const workers: Worker[] = [];
  const logs: WorkerLogEntry[] = [];

  beforeAll(async () => {
    const dir = tempDir("lambdalet-concurrency-");
    const dataDir = join(dir, "data");
    mkdirSync(dataDir);
    host = await RuntimeHost.install(join(dir, "runtimes"), {}, { strictVersions: false });
    sandbox = new Sandbox(hostWithoutContainers(false), {
      dataDir,
      fallback: null,
      users: { allowRoot: false, functionUidRange: DEFAULT_FUNCTION_UID_RANGE },
    });
  });

  afterAll(() => {
    for (const worker of workers) worker.kill();
  });

  function target(
    runtime: string,
    handler: string,
    files: Record<string, string>,
    edge: object,
  ): FunctionTarget {
    const codeDir = join(tempDir("lambdalet-concurrency-code-"), "code");
    mkdirSync(codeDir);
    for (const [name, source] of Object.entries(files)) writeFileSync(join(codeDir, name), source);
    const input = parseInput(CreateFunctionInputSchema, {
      FunctionName: "concurrent",
      Runtime: runtime,
      Role: "arn:aws:iam::000000000000:role/test",
      Handler: handler,
      Code: { ZipFile: "" },
      Timeout: 30,
      Edge: { containerMode: "NoContainer", ...edge },
    });
    return {
      config: configFromCreate(input, { sha256: "0".repeat(64), size: 1 }),
      version: "$LATEST",
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:concurrent",
      codeDir,
      region: "us-east-1",
    };
  }

  async function start(fn: FunctionTarget): Promise<{ worker: Worker; pid: number }> {
    let pid = 0;
    const started = await Worker.start(fn, {
      host,
      sandbox,
      plan: sandbox.plan(fn.config),
      onLog: (entry) => logs.push(entry),
      startTimeoutMs: 60_000,
      requestId: crypto.randomUUID(),
      observer: {
        workerStarting: () => {},
        workerSpawned: (_target, process) => {
          pid = process.pid;
        },
        workerReady: () => {},
        ran: () => {},
        invoked: () => {},
        throttled: () => {},
        pinnedRestarted: () => {},
      },
    });
    if (!started.ok) throw new Error(`the worker did not start: ${decode(started.result.outcome)}`);
    workers.push(started.worker);
    return { worker: started.worker, pid };
  }

  const request = (event: object, captureLog = false): InvocationRequest => ({
    requestId: crypto.randomUUID(),
    payload: new TextEncoder().encode(JSON.stringify(event)),
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:concurrent",
    traceId: "Root=1-00000000-000000000000000000000000",
    captureLog,
  });

  /** Whether every invocation began before any of them ended: they ran at the same time. */
  const overlapped = (answers: Answer[]) =>
    Math.max(...answers.map((answer) => answer.started)) < Math.min(...answers.map((answer) => answer.ended));

  test("nodejs: 4 invocations run at once in the one process, told AWS_LAMBDA_MAX_CONCURRENCY", async () => {
    const { worker, pid } = await start(target("nodejs20.x", "index.handler", { "index.js": NODE_HANDLER }, {
      maxConcurrency: 4,
    }));
    expect(worker.maxConcurrency).toBe(4);
    const running = [1, 2, 3, 4].map((n) => worker.invoke(request({ n, ms: 300 }, true)));
    expect(worker.inFlight).toBe(4);
    expect(worker.state).toBe("busy");
    const results = await Promise.all(running);
    const answers = results.map(answerOf);
    expect(new Set(answers.map((answer) => answer.pid))).toEqual(new Set([pid]));
    expect(answers.every((answer) => answer.max === "4")).toBe(true);
    expect(overlapped(answers)).toBe(true);
    expect(worker.inFlight).toBe(0);
    expect(worker.state).toBe("idle");
    // each Tail log holds its own line, found by the request id the bootstrap writes on it, and no other's
    results.forEach((result, index) => {
      expect(result.log).toContain(`working on ${index + 1}`);
      const others = [1, 2, 3, 4].filter((n) => n !== index + 1);
      for (const other of others) expect(result.log).not.toContain(`working on ${other}\n`);
    });
    expect(results.filter((result) => result.log.includes("Init Duration"))).toHaveLength(1);
  });

  test("bun: the same bootstrap, run by Bun as bun1.x runs it, runs 4 invocations at once in one process", async () => {
    // bun1.x runs the bootstrap under the lambdalet binary itself; here a provided bootstrap runs it under this Bun
    const script = `#!/bin/sh\nexec ${process.execPath} ${
      join(host.runtimeDir, "nodejs", "bootstrap.cjs")
    }\n`;
    const fn = target("provided.al2023", "index.handler", { "index.js": NODE_HANDLER }, {
      maxConcurrency: 4,
    });
    writeFileSync(join(fn.codeDir, "bootstrap"), script, { mode: 0o755 });
    const { worker } = await start(fn);
    const results = await Promise.all([1, 2, 3, 4].map((n) => worker.invoke(request({ n, ms: 300 }, true))));
    const answers = results.map(answerOf);
    expect(new Set(answers.map((answer) => answer.pid)).size).toBe(1);
    expect(answers.every((answer) => answer.max === "4")).toBe(true);
    expect(overlapped(answers)).toBe(true);
    results.forEach((result, index) => expect(result.log).toContain(`working on ${index + 1}`));
  });

  test("python: 4 invocations run at once in processes forked from the one initialized worker", async () => {
    const { worker, pid } = await start(target("python3.11", "app.handler", { "app.py": PYTHON_HANDLER }, {
      maxConcurrency: 4,
    }));
    const results = await Promise.all([1, 2, 3, 4].map((n) => worker.invoke(request({ n, ms: 300 }, true))));
    const answers = results.map(answerOf);
    expect(new Set(answers.map((answer) => answer.ppid))).toEqual(new Set([pid]));
    expect(new Set(answers.map((answer) => answer.pid)).size).toBe(4);
    expect(answers.every((answer) => answer.max === "4")).toBe(true);
    expect(overlapped(answers)).toBe(true);
    results.forEach((result, index) => expect(result.log).toContain(`working on ${index + 1}`));
    expect(results.filter((result) => result.log.includes("Init Duration"))).toHaveLength(1);
  });

  test("a default function's worker runs one at a time and is not told AWS_LAMBDA_MAX_CONCURRENCY", async () => {
    const fn = target("nodejs20.x", "index.handler", { "index.js": NODE_HANDLER }, {});
    fn.config.environment = { AWS_LAMBDA_MAX_CONCURRENCY: "8" }; // only the function's setting may say it
    const { worker } = await start(fn);
    expect(worker.maxConcurrency).toBe(1);
    const answer = answerOf(await worker.invoke(request({ n: 1, ms: 10 })));
    expect(answer.max).toBeNull();
  });

  test("a worker that exits fails every invocation it was running, each with its own request id", async () => {
    const { worker } = await start(target("nodejs20.x", "index.handler", { "index.js": NODE_HANDLER }, {
      maxConcurrency: 3,
    }));
    const requests = [request({ n: 1, ms: 5000 }), request({ n: 2, ms: 5000, exit: true })];
    const results = await Promise.all(requests.map((one) => worker.invoke(one)));
    results.forEach((result, index) => {
      expect(result.outcome).toMatchObject({ kind: "error", errorType: "Runtime.ExitError" });
      expect(decode(result.outcome)).toContain(`RequestId: ${requests[index]!.requestId}`);
    });
    expect(worker.state).toBe("dead");
  });

  test("an invocation past its deadline takes the worker, and the others fail naming it", async () => {
    const fn = target("nodejs20.x", "index.handler", { "index.js": NODE_HANDLER }, { maxConcurrency: 2 });
    fn.config.timeout = 1;
    const { worker } = await start(fn);
    const slow = request({ n: 101, ms: 3000 });
    const early = worker.invoke(slow);
    // the second begins once the first runs: the first's deadline comes first
    await eventually(() =>
      logs.some((entry) => entry.kind === "line" && entry.message.endsWith("working on 101")) || undefined
    );
    const other = worker.invoke(request({ n: 102, ms: 3000 }));
    const [late, second] = await Promise.all([early, other]);
    expect(late.outcome).toMatchObject({ kind: "error", errorType: "Sandbox.Timedout" });
    expect(second.outcome).toMatchObject({ kind: "error", errorType: "Runtime.ExitError" });
    expect(decode(second.outcome)).toContain(`invocation ${slow.requestId}`);
    expect(decode(second.outcome)).toContain("timed out");
  });
});
