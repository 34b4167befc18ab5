/** @module Functions' stored logs end to end: a real agent and workers, the `logs` command, rotation under a flood. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LogRecord } from "../../lib/logs/mod.ts";
import { type AgentProcess, SOURCE_COMMAND, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { runCli } from "../helpers/cli.ts";
import { createBody, createFunction, invoke } from "../helpers/functions.ts";

const PER_FUNCTION = 256 * 1024;
const TOTAL = 640 * 1024;

const ECHO = `exports.handler = async (event) => {
  console.log("hello", event.n);
  console.error("to stderr");
  return { n: event.n };
};`;

const LEVELS = `exports.handler = async (event) => {
  console.info("info line", event.n);
  console.warn("warn line", event.n);
  console.error("error line", event.n);
  return "ok";
};`;

/** Writes `count` lines of `width` characters as fast as the pipe takes them. */
const FLOOD = `exports.handler = async (event) => {
  const line = "x".repeat(event.width) + "\\n";
  for (let i = 0; i < event.count; i++) process.stdout.write(i + line);
  return "done";
};`;

/** Bytes under `<data-dir>/logs`: each function's and all together. */
function diskUsage(
  dataDir: string,
): { total: number; perFunction: Map<string, number>; files: Map<string, number> } {
  const root = join(dataDir, "logs");
  const perFunction = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (const name of readdirSync(root)) {
    let bytes = 0;
    let count = 0;
    for (const file of readdirSync(join(root, name))) {
      try {
        bytes += statSync(join(root, name, file)).size;
        count++;
      } catch {
        // deleted between the listing and the stat: it no longer counts
      }
    }
    perFunction.set(name, bytes);
    files.set(name, count);
    total += bytes;
  }
  return { total, perFunction, files };
}

async function logRecords(agent: AgentProcess, name: string, extra: string[] = []): Promise<LogRecord[]> {
  const result = await runCli(["logs", name, "--format", "json", "--endpoint-url", agent.url, ...extra]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as LogRecord);
}

/** Invokes `name` with `event`; the request id and the milliseconds the client waited. */
async function timedInvoke(
  agent: AgentProcess,
  name: string,
  event: unknown,
): Promise<{ requestId: string; ms: number }> {
  const started = performance.now();
  const response = await invoke(agent.url, name, JSON.stringify(event));
  await response.arrayBuffer();
  const ms = performance.now() - started;
  expect(response.status).toBe(200);
  return { requestId: response.headers.get("x-amzn-requestid")!, ms };
}

describe("stored function logs", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    const work = tempDir("lambdalet-logs-");
    const config = join(work, "agent.json");
    writeFileSync(
      config,
      JSON.stringify({ logs: { maxBytesPerFunction: PER_FUNCTION, maxTotalBytes: TOTAL } }),
    );
    agent = await startAgentProcess({ dataDir: join(work, "data"), cwd: work, flags: ["--config", config] });
    const bodies = [
      createBody("echo", ECHO, { MemorySize: 256 }),
      createBody("levels", LEVELS, { LoggingConfig: { LogFormat: "JSON", ApplicationLogLevel: "WARN" } }),
      createBody("follow", ECHO),
      ...["flood-a", "flood-b", "flood-c"].map((name) => createBody(name, FLOOD, { Timeout: 60 })),
    ];
    for (const body of bodies) expect((await createFunction(agent.url, body)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
  });

  test("each invocation is stored framed by START, END and REPORT, its lines with their request id and stream", async () => {
    const cold = await timedInvoke(agent, "echo", { n: 1 });
    const warm = await timedInvoke(agent, "echo", { n: 2 });
    const records = await logRecords(agent, "echo");
    for (const [{ requestId, ms }, isCold] of [[cold, true], [warm, false]] as const) {
      const mine = records.filter((record) => record.requestId === requestId);
      expect(mine.map((record) => record.stream)).toEqual([
        "platform",
        "stdout",
        "stderr",
        "platform",
        "platform",
      ]);
      expect(mine[0]!.message).toBe(`START RequestId: ${requestId} Version: $LATEST`);
      expect(mine[1]!.message).toMatch(new RegExp(`^\\S+Z\\t${requestId}\\tINFO\\thello ${isCold ? 1 : 2}$`));
      expect(mine[3]!.message).toBe(`END RequestId: ${requestId}`);
      const report =
        /^REPORT RequestId: (\S+)\tDuration: ([\d.]+) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t(?:Init Duration: ([\d.]+) ms\t)?$/
          .exec(mine[4]!.message);
      expect(report).not.toBeNull();
      const [, id, duration, billed, memory, used, init] = report!;
      expect(id).toBe(requestId);
      expect(Number(duration)).toBeLessThanOrEqual(ms);
      expect(Number(billed)).toBe(Math.max(1, Math.ceil(Number(duration))));
      expect(Number(memory)).toBe(256);
      expect(Number(used)).toBeGreaterThan(0);
      expect(init !== undefined).toBe(isCold);
      for (const record of mine) expect(Number.isNaN(Date.parse(record.time))).toBe(false);
    }
    const only = await logRecords(agent, "echo", ["--request-id", warm.requestId]);
    expect(only.length).toBe(5);
  });

  test("LogFormat JSON stores Lambda's structured records, filtered by ApplicationLogLevel, each carrying the request id", async () => {
    const { requestId, ms } = await timedInvoke(agent, "levels", { n: 7 });
    const records = (await logRecords(agent, "levels")).filter((record) => record.requestId === requestId);
    const parsed = records.map((record) => JSON.parse(record.message) as Record<string, unknown>);
    const application = parsed.filter((record) => "level" in record);
    expect(application.map((record) => [record.level, record.message, record.requestId])).toEqual([
      ["WARN", "warn line 7", requestId],
      ["ERROR", "error line 7", requestId],
    ]);
    for (const record of application) expect(Number.isNaN(Date.parse(String(record.timestamp)))).toBe(false);
    const start = parsed.find((record) => record.type === "platform.start") as {
      record: Record<string, unknown>;
    };
    expect(start.record).toEqual({ requestId, version: "$LATEST" });
    const report = parsed.find((record) => record.type === "platform.report") as {
      time: string;
      record: { requestId: string; status: string; metrics: Record<string, number> };
    };
    expect(report.record.requestId).toBe(requestId);
    expect(report.record.status).toBe("success");
    expect(report.record.metrics.durationMs!).toBeLessThanOrEqual(ms);
    expect(report.record.metrics.memorySizeMB).toBe(128);
    expect(report.record.metrics.initDurationMs).toBeGreaterThan(0);
    const configuration = await apiFetch(`${agent.url}/2015-03-31/functions/levels/configuration`);
    expect((await configuration.json() as { LoggingConfig: unknown }).LoggingConfig).toEqual({
      LogFormat: "JSON",
      ApplicationLogLevel: "WARN",
      SystemLogLevel: "INFO",
      LogGroup: "/aws/lambda/levels",
    });
  });

  test("log levels on a Text function are refused as Lambda refuses them", async () => {
    const response = await apiFetch(`${agent.url}/2015-03-31/functions/echo/configuration`, {
      method: "PUT",
      body: JSON.stringify({ LoggingConfig: { ApplicationLogLevel: "DEBUG" } }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("InvalidParameterValueException");
  });

  test("logs --follow receives a line written after the follow began", async () => {
    const before = await timedInvoke(agent, "follow", { n: "before" });
    const proc = Bun.spawn({
      cmd: [...SOURCE_COMMAND, "logs", "follow", "--follow", "--endpoint-url", agent.url],
      env: { ...process.env, LAMBDALET_DATA_DIR: agent.dataDir, NO_COLOR: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      let text = "";
      const reader = proc.stdout.getReader();
      const decoder = new TextDecoder();
      const until = async (wanted: string) => {
        while (!text.includes(wanted)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`logs --follow ended before "${wanted}":\n${text}`);
          text += decoder.decode(value, { stream: true });
        }
      };
      await until(`END RequestId: ${before.requestId}`); // the follow has begun: its history is out
      const after = await timedInvoke(agent, "follow", { n: "after" });
      await until(`hello after`);
      await until(`END RequestId: ${after.requestId}`);
    } finally {
      proc.kill();
      await proc.exited;
    }
  });

  test(
    "a flood from several functions keeps the per-function and total caps on disk, dropping the oldest files",
    async () => {
      const samples: number[][] = [];
      let flooding = true;
      const sampler = (async () => {
        while (flooding) {
          const usage = diskUsage(agent.dataDir);
          samples.push([usage.total, ...usage.perFunction.values()]);
          await Bun.sleep(5);
        }
      })();
      // 3 × 4 MB of output: sixteen times the per-function cap, about twenty times the total
      const results = await Promise.all(
        ["flood-a", "flood-b", "flood-c"].map((name) =>
          invoke(agent.url, name, JSON.stringify({ width: 200, count: 20_000 }))
        ),
      );
      for (const result of results) expect(result.status).toBe(200);
      await Bun.sleep(500); // let the writer catch up
      flooding = false;
      await sampler;
      const usage = diskUsage(agent.dataDir);
      samples.push([usage.total, ...usage.perFunction.values()]);
      expect(samples.length).toBeGreaterThan(5);
      for (const [total, ...perFunction] of samples) {
        expect(total!).toBeLessThanOrEqual(TOTAL);
        for (const bytes of perFunction) expect(bytes).toBeLessThanOrEqual(PER_FUNCTION);
      }
      // rotation happened: more than a current file, and the newest lines are the ones kept
      expect(Math.max(...usage.files.values())).toBeGreaterThan(1);
      const kept = await Promise.all(["flood-a", "flood-b", "flood-c"].map(async (name) => {
        const records = await logRecords(agent, name, ["--since", "1h"]);
        const numbers = records.map((record) => /^(\d+)x/.exec(record.message)?.[1])
          .filter((n) => n !== undefined).map(Number);
        const dropped = records.some((record) =>
          /lines? of this function's log dropped/.test(record.message)
        );
        return { numbers, dropped };
      }));
      // lines the writer could not keep up with are dropped and counted, but what stays is the newest, in order
      for (const { numbers } of kept) expect(numbers).toEqual(numbers.toSorted((a, b) => a - b));
      // the total cap takes the oldest files of whichever flood ended first (on a busy host it keeps a few lines
      // of it): the function that kept the most shows what stays
      const most = kept.reduce((best, each) => each.numbers.length > best.numbers.length ? each : best);
      expect(most.numbers.length).toBeGreaterThan(100);
      // the first lines went with a rotated file, unless a busy disk made the writer drop lines (then it says so)
      expect(most.numbers[0]! > 0 || most.dropped).toBe(true);
    },
    60_000,
  );
});

describe("the agent's own log", () => {
  test("serve --log-format json writes one JSON object a line, each with its time, level and message", async () => {
    const agent = await startAgentProcess({ flags: ["--log-format", "json"] });
    try {
      const lines = agent.output().split("\n").filter((line) => line.startsWith("{"));
      const records = lines.map((line) =>
        JSON.parse(line) as { time: string; level: string; message: string }
      );
      const listening = records.find((record) => record.message.includes(`listening on ${agent.url}`));
      expect(listening?.level).toBe("info");
      expect(Number.isNaN(Date.parse(listening!.time))).toBe(false);
    } finally {
      await agent.stop();
    }
  });
});
