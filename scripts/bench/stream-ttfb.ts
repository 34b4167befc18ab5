/**
 * @module Response streaming benchmark: `bun scripts/bench/stream-ttfb.ts [--runs 20] [--sleep-ms 500] [--binary PATH]`.
 *
 * Starts an agent (from source, or the given binary) with a temporary data dir and deploys a nodejs streaming
 * handler that writes a first chunk, sleeps, then writes the rest. Prints the time to first byte and to the end,
 * p50/p99 over warm runs, for InvokeWithResponseStream (the first PayloadChunk) and for a plain Invoke of the same
 * handler (buffered: the first byte comes with the last). Then streams 64 MiB to a client that reads nothing for
 * two seconds, and prints the agent's RSS before, while the client stalls, and after.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { signRequest } from "../../lib/auth/mod.ts";
import { startAgentProcess } from "../../tests/helpers/agent-process.ts";
import { agentCredentials } from "../../tests/helpers/api-client.ts";
import { percentile } from "./_stats.ts";
import { createNodeFunction } from "./_functions.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    runs: { type: "string", default: "20" },
    "sleep-ms": { type: "string", default: "500" },
    binary: { type: "string" },
  },
});
const runs = Number(values.runs);
const sleepMs = Number(values["sleep-ms"]);

const WRITE_THEN_SLEEP = `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("first bytes, ");
  await new Promise((resolve) => setTimeout(resolve, ${sleepMs}));
  responseStream.end("and the rest");
});`;

const FLOOD = `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const piece = Buffer.alloc(64 * 1024, 120);
  for (let i = 0; i < 1024; i++) {
    if (!responseStream.write(piece)) await new Promise((resolve) => responseStream.once("drain", resolve));
  }
  responseStream.end();
});`;

function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) / 1024;
}

/** The signed headers of an empty event to `target`. */
async function signed(target: string): Promise<Record<string, string>> {
  return await signRequest(
    { method: "POST", url: target, body: "{}" },
    agentCredentials(target)!,
    "us-east-1",
  );
}

/** POSTs a signed, empty event to `target`; the response's body is still to be read. */
async function post(target: string): Promise<Response> {
  return await fetch(target, { method: "POST", body: "{}", headers: await signed(target) });
}

/** Time to the first body bytes and to the end of the body, in ms (signed before the clock starts). */
async function timed(target: string): Promise<{ firstMs: number; endMs: number }> {
  const headers = await signed(target);
  const started = performance.now();
  const response = await fetch(target, { method: "POST", body: "{}", headers });
  if (response.status !== 200) throw new Error(`${target}: ${response.status} ${await response.text()}`);
  const reader = response.body!.getReader();
  let firstMs = -1;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    if (firstMs < 0 && next.value.byteLength) firstMs = performance.now() - started;
  }
  return { firstMs, endMs: performance.now() - started };
}

function report(label: string, samples: { firstMs: number; endMs: number }[]): void {
  const first = samples.map((s) => s.firstMs);
  const end = samples.map((s) => s.endMs);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(
    `${label.padEnd(34)} first byte p50 ${ms(percentile(first, 50))}, p99 ${ms(percentile(first, 99))}; ` +
      `end p50 ${ms(percentile(end, 50))}`,
  );
}

const agent = await startAgentProcess(values.binary ? { command: [resolve(values.binary)] } : {});
try {
  await createNodeFunction(agent.url, "write-then-sleep", WRITE_THEN_SLEEP, { Timeout: 30 });
  await createNodeFunction(agent.url, "flood", FLOOD, { Timeout: 30 });
  const streamUrl = (name: string) =>
    `${agent.url}/2021-11-15/functions/${name}/response-streaming-invocations`;
  const invokeUrl = (name: string) => `${agent.url}/2015-03-31/functions/${name}/invocations`;
  await timed(streamUrl("write-then-sleep")); // the cold start
  const streamed: { firstMs: number; endMs: number }[] = [];
  const buffered: { firstMs: number; endMs: number }[] = [];
  for (let run = 0; run < runs; run++) {
    streamed.push(await timed(streamUrl("write-then-sleep")));
    buffered.push(await timed(invokeUrl("write-then-sleep")));
  }
  console.log(`handler: writes, sleeps ${sleepMs} ms, writes and ends; ${runs} warm runs each`);
  report("InvokeWithResponseStream", streamed);
  report("Invoke (RequestResponse, buffered)", buffered);

  await timed(streamUrl("flood")); // warm
  const idle = rssMb(agent.proc.pid);
  const response = await post(streamUrl("flood"));
  await Bun.sleep(2000); // the client reads nothing: the handler must wait, not the agent's memory grow
  const stalled = rssMb(agent.proc.pid);
  let bytes = 0;
  for await (const chunk of response.body!) bytes += chunk.byteLength;
  const after = rssMb(agent.proc.pid);
  console.log(
    `64 MiB streamed (${
      (bytes / 1024 / 1024).toFixed(1)
    } MiB of event stream) to a client stalled 2 s: agent RSS ` +
      `${idle.toFixed(1)} MB before, ${stalled.toFixed(1)} MB while stalled, ${after.toFixed(1)} MB after`,
  );
} finally {
  await agent.stop();
}
