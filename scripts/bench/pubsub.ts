/**
 * @module Pub/sub benchmark: `bun scripts/bench/pubsub.ts [--seconds 5] [--subscribers 1,3,10] [--binary PATH]`.
 *
 * For each number of subscribers N (no-op nodejs20.x functions subscribed with a `+` filter): the rate of
 * acknowledged publishes at concurrency 16 (each one N events committed in one transaction, synchronous=FULL), the
 * time to run the backlog, and the fan-out latency from just before a publish is sent to each handler's start
 * (sequential publishes on warm workers), p50 and p99, for any subscriber and for the last of the N.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildZip } from "../../lib/code/mod.ts";
import { startAgentProcess, tempDir } from "../../tests/helpers/agent-process.ts";
import { apiFetch } from "../../tests/helpers/api-client.ts";
import { workerWritableDir } from "../../tests/helpers/worker-dirs.ts";
import { signedWrkScript } from "./_wrk.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    seconds: { type: "string", default: "5" },
    subscribers: { type: "string", default: "1,3,10" },
    samples: { type: "string", default: "200" },
    binary: { type: "string" },
  },
});
const seconds = Number(values.seconds);
const counts = values.subscribers.split(",").map(Number);
const samples = Number(values.samples);
const WRK = Bun.which("wrk");

/** Writes, when the event carries `t0` (epoch ms), how long after it the handler started, to `$DIR/<function>`. */
const HANDLER = `const fs = require("node:fs");
exports.handler = async (event, context) => {
  const now = performance.timeOrigin + performance.now();
  if (event && event.t0) fs.appendFileSync(process.env.DIR + "/" + context.functionName, (now - event.t0) + "\\n");
  return null;
};
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

const work = tempDir("lambdalet-bench-pubsub-");
// not under /tmp, which NoContainer workers see as their own; each function writes as its own uid
const dir = workerWritableDir("lambdalet-bench-pubsub-latency-");
const agent = await startAgentProcess({
  ...(values.binary ? { command: [resolve(values.binary)] } : {}),
  dataDir: join(work, "data"),
});

async function queued(): Promise<number> {
  return ((await (await apiFetch(`${agent.url}/status`)).json()) as { events: { queued: number } }).events
    .queued;
}

async function publish(topic: string, body: string): Promise<void> {
  const response = await apiFetch(`${agent.url}/topics/${topic}`, { method: "POST", body });
  if (response.status !== 200) throw new Error(`publish failed: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

/** Publishes `{}` to `topic` at concurrency 16 for the given seconds (with wrk when installed); the rate. */
async function publishRate(topic: string): Promise<number> {
  const target = `${agent.url}/topics/${topic}`;
  if (WRK) {
    const proc = Bun.spawn({
      cmd: [WRK, "-t1", "-c16", `-d${seconds}s`, "-s", await signedWrkScript(target), target],
      stdout: "pipe",
    });
    const text = await new Response(proc.stdout).text();
    await proc.exited;
    if (/Non-2xx/.test(text)) throw new Error(`wrk saw errors:\n${text}`);
    return Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  }
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (performance.now() < deadline) {
      await publish(topic, "{}");
      count++;
    }
  }));
  return count / seconds;
}

function lines(name: string): number[] {
  const path = join(dir, name);
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean).map(Number) : [];
}

try {
  const zip = Buffer.from(buildZip({ "index.js": HANDLER })).toString("base64");
  console.log(
    `lambdalet pub/sub benchmark (${values.binary ? `binary ${values.binary}` : "source"}, NoContainer)`,
  );
  for (const count of counts) {
    const names = Array.from({ length: count }, (_, index) => `sub${count}-${index}`);
    for (const name of names) {
      const response = await apiFetch(`${agent.url}/2015-03-31/functions`, {
        method: "POST",
        body: JSON.stringify({
          FunctionName: name,
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Role: "arn:aws:iam::000000000000:role/bench",
          Code: { ZipFile: zip },
          Environment: { Variables: { DIR: dir } },
          Edge: { eventSources: [{ type: "PUB_SUB", topic: `bench${count}/+/reading` }] },
        }),
      });
      if (response.status !== 201) throw new Error(`CreateFunction failed: ${await response.text()}`);
    }
    const topic = `bench${count}/kitchen/reading`;

    const published = await publishRate(topic) * seconds;
    const backlog = await queued();
    const drainStart = performance.now();
    while ((await queued()) > 0) await Bun.sleep(50);
    const drain = (performance.now() - drainStart) / 1000;

    // latency: one publish at a time, every subscriber warm
    for (const name of names) rmSync(join(dir, name), { force: true });
    const any: number[] = [];
    const last: number[] = [];
    for (let sample = -5; sample < samples; sample++) {
      const before = names.map((name) => lines(name).length);
      await publish(topic, JSON.stringify({ t0: performance.timeOrigin + performance.now() }));
      while (names.some((name, index) => lines(name).length <= before[index]!)) await Bun.sleep(1);
      if (sample < 0) continue; // warm-up
      const latest = names.map((name) => lines(name).at(-1)!);
      any.push(...latest);
      last.push(Math.max(...latest));
    }
    any.sort((a, b) => a - b);
    last.sort((a, b) => a - b);
    console.log(
      `${count} subscriber(s): ${(published / seconds).toFixed(0)} publishes/s acknowledged ` +
        `(${((published * count) / seconds).toFixed(0)} events/s committed, ${
          WRK ? "wrk" : "fetch loop"
        }); backlog ${backlog} run in ` +
        `${drain.toFixed(1)} s; publish -> handler start p50 ${percentile(any, 50).toFixed(2)} ms, p99 ${
          percentile(any, 99).toFixed(2)
        } ms; last of ${count} p50 ${percentile(last, 50).toFixed(2)} ms, p99 ${
          percentile(last, 99).toFixed(2)
        } ms`,
    );
  }
} finally {
  await agent.stop();
}
