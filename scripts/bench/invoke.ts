/**
 * @module Invocation benchmark: `bun scripts/bench/invoke.ts [--seconds 10] [--binary PATH] [--mode both|NoContainer|GreengrassContainer]`.
 *
 * Starts an agent (from source, or the given binary) on a free port with a temporary data dir, deploys a no-op
 * nodejs handler, and prints: warm RequestResponse latency p50/p99 (sequential), throughput at concurrency 1, 8
 * and 64, cold start p50 next to `node -e 0`, and the agent's RSS idle and with 100 idle warm workers.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { detectHostCapabilities, missingForContainers } from "../../lib/sandbox/mod.ts";
import { startAgentProcess, tempDir } from "../../tests/helpers/agent-process.ts";
import { signRequest } from "../../lib/auth/mod.ts";
import { agentCredentials, apiFetch } from "../../tests/helpers/api-client.ts";
import { signedWrkScript } from "./_wrk.ts";
import { percentile } from "./_stats.ts";
import { createNodeFunction } from "./_functions.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    seconds: { type: "string", default: "10" },
    binary: { type: "string" },
    mode: { type: "string", default: "both" },
  },
});
const seconds = Number(values.seconds);

const NOOP = "exports.handler = async () => null;";
// long enough that each of the 100 callers gets its own worker (a quicker one is served by fewer warm workers)
const SLEEPY =
  "exports.handler = async () => { await new Promise((r) => setTimeout(r, 5000)); return null; };";

/** The members of every function this benchmark creates, with its `Edge` settings. */
function nodeMembers(edge: Record<string, unknown>): Record<string, unknown> {
  // Node.js needs more than the 16 MB container default; the sleepy handler sleeps 5 s
  return { MemorySize: 128, Timeout: 30, Edge: edge };
}

/** How many idle workers the function's pool holds now. */
async function idleWorkers(url: string, name: string): Promise<number> {
  const response = await apiFetch(`${url}/2015-03-31/functions/${name}`);
  const body = await response.json() as { Configuration: { EdgeStatus?: { workers: { idle: number } } } };
  return body.Configuration.EdgeStatus?.workers.idle ?? 0;
}

function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) / 1024;
}

/** Signed Invoke headers by URL: signed once, as wrk replays them, so that latency is the agent's, not the signer's. */
const signedHeaders = new Map<string, Promise<Record<string, string>>>();

function invokeHeaders(target: string): Promise<Record<string, string>> {
  let headers = signedHeaders.get(target);
  if (!headers) {
    headers = signRequest(
      { method: "POST", url: target, body: "{}" },
      agentCredentials(target)!,
      "us-east-1",
    );
    signedHeaders.set(target, headers);
  }
  return headers;
}

async function invokeOnce(url: string, name: string): Promise<number> {
  const target = `${url}/2015-03-31/functions/${name}/invocations`;
  const headers = await invokeHeaders(target);
  const started = performance.now();
  const response = await fetch(target, { method: "POST", body: "{}", headers });
  const text = await response.text();
  if (response.status !== 200 || response.headers.get("x-amz-function-error")) {
    throw new Error(`invoke ${name} failed: ${response.status} ${text}`);
  }
  return performance.now() - started;
}

/** Requests per second from wrk (Debian package wrk): a load generator that costs the 2 cores little. */
async function wrkThroughput(
  url: string,
  name: string,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  const script = await signedWrkScript(`${url}/2015-03-31/functions/${name}/invocations`);
  const proc = Bun.spawn({
    cmd: [
      WRK!,
      "-t1",
      `-c${concurrency}`,
      `-d${durationMs / 1000}s`,
      "-s",
      script,
      `${url}/2015-03-31/functions/${name}/invocations`,
    ],
    stdout: "pipe",
  });
  const text = await new Response(proc.stdout).text();
  await proc.exited;
  if (/Non-2xx/.test(text)) throw new Error(`wrk saw errors:\n${text}`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
}

const WRK = Bun.which("wrk");

async function throughput(
  url: string,
  name: string,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  if (WRK) return await wrkThroughput(url, name, concurrency, durationMs);
  const deadline = performance.now() + durationMs;
  let count = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await invokeOnce(url, name);
      count++;
    }
  }));
  return count / (durationMs / 1000);
}

function inProcessCallMs(): number {
  const handler = () => Promise.resolve(null);
  const rounds = 100_000;
  const started = performance.now();
  let chain = Promise.resolve<null>(null);
  for (let i = 0; i < rounds; i++) chain = chain.then(() => handler());
  return (performance.now() - started) / rounds;
}

async function nodeStartMs(samples: number): Promise<number> {
  const node = Bun.which("node")!;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await Bun.spawn({ cmd: [node, "-e", "0"] }).exited;
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

const CONTAINERS_POSSIBLE = missingForContainers(detectHostCapabilities({ setUpCgroups: false }))
  .filter((item) => item.name !== "worker cgroups").length === 0;
const modes = values.mode === "both"
  ? ["NoContainer", ...(CONTAINERS_POSSIBLE ? ["GreengrassContainer"] : [])]
  : [values.mode];
if (values.mode === "both" && !CONTAINERS_POSSIBLE) {
  console.log("GreengrassContainer: not measured, this host cannot isolate");
}

/** Runs every measure for functions in `mode` on a fresh agent, and prints them. */
async function measure(mode: string): Promise<void> {
  const agent = await startAgentProcess({
    ...(values.binary ? { command: [resolve(values.binary)] } : {}),
    dataDir: join(tempDir("lambdalet-bench-"), "data"),
  });
  const pid = agent.proc.pid;
  const edge = { containerMode: mode, maxIdleTimeInSeconds: 600 };
  try {
    const idleRss = rssMb(pid);
    await createNodeFunction(agent.url, "noop", NOOP, nodeMembers(edge));
    await invokeOnce(agent.url, "noop");

    const latencies: number[] = [];
    for (let i = 0; i < 2000; i++) latencies.push(await invokeOnce(agent.url, "noop"));
    const inProcess = inProcessCallMs();

    const rates: Record<number, number> = {};
    for (const concurrency of [1, 8, 64]) {
      await throughput(agent.url, "noop", concurrency, 1000); // warm the workers for this concurrency
      rates[concurrency] = await throughput(agent.url, "noop", concurrency, seconds * 1000);
    }

    await createNodeFunction(agent.url, "noop4", NOOP, nodeMembers({ ...edge, maxInstancesCount: 4 }));
    await throughput(agent.url, "noop4", 64, 1000);
    const capped = await throughput(agent.url, "noop4", 64, seconds * 1000);

    const coldStarts: number[] = [];
    for (let i = 0; i < 20; i++) {
      await apiFetch(`${agent.url}/2015-03-31/functions/noop/configuration`, {
        method: "PUT",
        body: JSON.stringify({ Description: `cold ${i}` }),
      });
      coldStarts.push(await invokeOnce(agent.url, "noop"));
    }
    const nodeStart = await nodeStartMs(20);

    await createNodeFunction(agent.url, "sleepy", SLEEPY, nodeMembers(edge));
    await Promise.all(Array.from({ length: 100 }, () => invokeOnce(agent.url, "sleepy")));
    await Bun.sleep(500);
    const warmRss = rssMb(pid);
    const warmWorkers = await idleWorkers(agent.url, "sleepy");

    const p50 = percentile(latencies, 50);
    const source = values.binary ? `binary ${values.binary}` : "source";
    console.log(`lambdalet invoke benchmark (${source}, ${mode}, nodejs20.x no-op)`);
    console.log(
      `warm latency, sequential: p50 ${p50.toFixed(3)} ms, p99 ${percentile(latencies, 99).toFixed(3)} ms`,
    );
    console.log(
      `  in-process handler call: ${(inProcess * 1000).toFixed(2)} µs -> overhead p50 ${
        (p50 - inProcess).toFixed(3)
      } ms`,
    );
    for (const [concurrency, rate] of Object.entries(rates)) {
      console.log(
        `throughput, concurrency ${concurrency}: ${rate.toFixed(0)} invocations/s over ${seconds} s (${
          WRK ? "wrk" : "fetch loop"
        })`,
      );
    }
    console.log(
      `throughput, concurrency 64 with maxInstancesCount 4 (the rest queue): ${
        capped.toFixed(0)
      } invocations/s`,
    );
    const cold = percentile(coldStarts, 50);
    console.log(
      `cold start p50: ${cold.toFixed(1)} ms (node -e 0: ${nodeStart.toFixed(1)} ms -> +${
        (cold - nodeStart).toFixed(1)
      } ms)`,
    );
    console.log(
      `agent RSS: idle ${idleRss.toFixed(1)} MB, with ${warmWorkers} idle warm workers ${
        warmRss.toFixed(1)
      } MB (${((warmRss - idleRss) / Math.max(1, warmWorkers)).toFixed(3)} MB each)`,
    );
  } finally {
    await agent.stop();
  }
}

for (const mode of modes) await measure(mode!);
