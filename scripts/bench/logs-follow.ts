/**
 * @module Log follow latency benchmark: `bun scripts/bench/logs-follow.ts [--lines 200] [--gap-ms 10] [--binary PATH]`.
 *
 * Starts an agent (from source, or the given binary) with a temporary data dir, deploys a nodejs function that
 * writes `--lines` lines `--gap-ms` apart, each stamped with the wall clock in microseconds when written, and
 * follows its log through `GET /lambdalet/v1/functions/{name}/logs?follow=true` (signed, as `lambdalet logs
 * --follow` does). Prints p50/p99/max of the time from the worker's write to the follower reading the line.
 */
import { parseArgs } from "node:util";
import { startAgentProcess } from "../../tests/helpers/agent-process.ts";
import { apiFetch } from "../../tests/helpers/api-client.ts";
import { createBody, createFunction, invoke } from "../../tests/helpers/functions.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    lines: { type: "string", default: "200" },
    "gap-ms": { type: "string", default: "10" },
    binary: { type: "string" },
  },
});
const lines = Number(values.lines);
const gapMs = Number(values["gap-ms"]);

const STAMPED = `exports.handler = async (event) => {
  for (let i = 0; i < event.lines; i++) {
    process.stdout.write("STAMP " + (performance.timeOrigin + performance.now()).toFixed(3) + "\\n");
    await new Promise((resolve) => setTimeout(resolve, event.gapMs));
  }
  return "done";
};`;

const now = () => performance.timeOrigin + performance.now();

const agent = await startAgentProcess(values.binary ? { command: [values.binary] } : {});
try {
  const created = await createFunction(agent.url, createBody("stamped", STAMPED, { Timeout: 120 }));
  if (created.status !== 201) throw new Error(`CreateFunction: ${created.status} ${await created.text()}`);
  await (await invoke(agent.url, "stamped", JSON.stringify({ lines: 1, gapMs: 0 }))).arrayBuffer(); // warm
  const follow = await apiFetch(
    `${agent.url}/lambdalet/v1/functions/stamped/logs?follow=true&since=${Date.now()}`,
  );
  if (!follow.ok || !follow.body) throw new Error(`logs: ${follow.status} ${await follow.text()}`);
  const latencies: number[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of follow.body!) {
      const read = now();
      const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = parts.pop() ?? "";
      for (const part of parts) {
        const stamp = /"message":"STAMP ([\d.]+)"/.exec(part)?.[1];
        if (stamp) latencies.push(read - Number(stamp));
      }
      if (latencies.length >= lines) return;
    }
  })();
  await (await invoke(agent.url, "stamped", JSON.stringify({ lines, gapMs }))).arrayBuffer();
  await Promise.race([reading, Bun.sleep(5000)]);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
  console.log(
    `logs --follow: ${latencies.length}/${lines} lines, write → read p50 ${at(0.5)} ms, p99 ${
      at(0.99)
    } ms, max ${latencies.at(-1)!.toFixed(2)} ms`,
  );
} finally {
  await agent.stop();
}
