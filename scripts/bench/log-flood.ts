/**
 * @module Log flood benchmark: `bun scripts/bench/log-flood.ts [--mb 250] [--timeout 120] [--binary PATH] [--only raw,lines,lines-tail,raw-tail,short]`.
 *
 * For each scenario, starts a fresh agent (from source, or the given binary), deploys a `provided` function that
 * writes `--mb` MB to stdout as fast as it can (one endless line, 100-byte lines or `yes`; invoked with or without
 * `X-Amz-Log-Type: Tail`) and a no-op nodejs neighbour, and prints: the flood's duration and rate, the agent's
 * RSS idle and at its peak (sampled every 20 ms), the neighbour's warm latency p50/p99/max during the flood, and
 * the flood's lines the agent dropped from its own stdout (read by `grep`, as journald would) when it fell behind.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SOURCE_COMMAND, startAgentProcess, tempDir } from "../../tests/helpers/agent-process.ts";
import { deploy, invoke } from "../../tests/helpers/functions.ts";
import {
  floodFunction,
  type FloodKind,
  neighbourFunction,
  percentile,
  runFlood,
  stopAgent,
} from "../../tests/scheduler/_log-flood.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    mb: { type: "string", default: "250" },
    timeout: { type: "string", default: "120" },
    binary: { type: "string" },
    only: { type: "string", default: "raw,lines,lines-tail" },
  },
});
const bytes = Number(values.mb) * 1024 * 1024;
const timeoutSeconds = Number(values.timeout);

const SCENARIOS: Record<string, { kind: FloodKind; tail: boolean; title: string }> = {
  "raw": { kind: "raw", tail: false, title: "no newlines" },
  "raw-tail": { kind: "raw", tail: true, title: "no newlines, Tail" },
  "lines": { kind: "lines", tail: false, title: "100-byte lines" },
  "lines-tail": { kind: "lines", tail: true, title: "100-byte lines, Tail" },
  "short": { kind: "short", tail: false, title: "2-byte lines (yes)" },
};

/** Lines the agent says it dropped because its stdout (read by grep) fell behind. */
function droppedLines(output: string): number {
  let dropped = 0;
  for (const match of output.matchAll(/lambdalet: (\d+) lines? of function output dropped/g)) {
    dropped += Number(match[1]);
  }
  return dropped;
}

/** Runs one scenario on a fresh agent and prints its line. */
async function measure(name: string): Promise<void> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`Unknown scenario ${name}: one of ${Object.keys(SCENARIOS).join(", ")}`);
  const lambdalet = values.binary ? [resolve(values.binary)] : SOURCE_COMMAND;
  const agent = await startAgentProcess({
    // the agent's stdout goes to grep, as it would to journald: the flood's lines stay out of this process
    command: [
      "bash",
      "-c",
      'exec > >(LC_ALL=C exec grep --line-buffered -v "^\\[flood:"); exec "$0" "$@"',
      ...lambdalet,
    ],
    dataDir: join(tempDir("lambdalet-bench-"), "data"),
  });
  try {
    await deploy(agent.url, neighbourFunction("neighbour"));
    await deploy(agent.url, floodFunction("flood", scenario.kind, bytes, timeoutSeconds));
    for (let i = 0; i < 200; i++) await (await invoke(agent.url, "neighbour", "{}")).arrayBuffer();
    await Bun.sleep(500);
    const run = await runFlood(agent, { flood: "flood", neighbour: "neighbour", tail: scenario.tail });
    const seconds = run.durationMs / 1000;
    const outcome = run.status === 200 && run.functionError === null
      ? "ok"
      : `${run.status} ${run.functionError}`;
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    console.log(
      `${scenario.title.padEnd(22)} ${outcome}: ${seconds.toFixed(1)} s (${
        (Number(values.mb) / seconds).toFixed(0)
      } MB/s)` +
        ` | agent RSS idle ${run.idleRssMb.toFixed(1)} MB, peak ${run.peakRssMb.toFixed(1)} MB (+${
          (run.peakRssMb - run.idleRssMb).toFixed(1)
        })` +
        ` | neighbour ${run.neighbourMs.length} invokes p50 ${ms(percentile(run.neighbourMs, 50))} p99 ${
          ms(percentile(run.neighbourMs, 99))
        } max ${ms(Math.max(...run.neighbourMs))}` +
        (run.neighbourFailures ? `, ${run.neighbourFailures} failed` : "") +
        (scenario.tail ? ` | tail ${Buffer.byteLength(run.log)} bytes` : "") +
        ` | lines dropped on the agent's stdout: ${droppedLines(agent.output())}`,
    );
  } finally {
    await stopAgent(agent);
  }
}

console.log(
  `lambdalet log flood benchmark (${values.binary ? `binary ${values.binary}` : "source"}, ${values.mb} MB)`,
);
for (const name of values.only.split(",")) await measure(name.trim());
