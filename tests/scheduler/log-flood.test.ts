/** @module A function that floods its stdout cannot exhaust the agent: bounded memory, its invocation ends, neighbours answer. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { deploy, invoke } from "../helpers/functions.ts";
import { LOG_TAIL_BYTES } from "../../lib/scheduler/mod.ts";
import {
  floodFunction,
  type FloodRun,
  neighbourFunction,
  percentile,
  rssMb,
  runFlood,
  stopAgent,
} from "./_log-flood.ts";

/** What each flood writes: 250 MB, as fast as `tr` or `yes` can. */
const FLOOD_BYTES = 250 * 1024 * 1024;
/** The flood function's Timeout, in seconds: its invocation must end well within it. */
const FLOOD_TIMEOUT_SECONDS = 30;
/** The bound on the agent's growth over its idle RSS (now +35-50 MB after both floods; before, +1 GB). */
const RSS_GROWTH_BOUND_MB = 64;
/** A flood test: the flood (a few seconds at most) and the time to stop an agent that failed. */
const FLOOD_TEST_TIMEOUT_MS = 60_000;

/** Prints what a flood did, so that a run's numbers can be read next to the benchmark's. */
function report(title: string, run: FloodRun): void {
  console.log(
    `${title}: ${(run.durationMs / 1000).toFixed(1)} s, agent RSS ${run.idleRssMb.toFixed(1)} -> ${
      run.peakRssMb.toFixed(1)
    } MB; neighbour ${run.neighbourMs.length} invokes, p50 ${
      percentile(run.neighbourMs, 50).toFixed(1)
    } ms, p99 ${percentile(run.neighbourMs, 99).toFixed(1)} ms`,
  );
}

/**
 * The checks every flood must pass: bounded RSS, an answer within the Timeout, a neighbour that kept
 * answering.
 */
function expectContained(run: FloodRun, idleRssMb: number): void {
  const bound = idleRssMb + RSS_GROWTH_BOUND_MB;
  if (run.overflowed) {
    throw new Error(
      `The agent's RSS reached ${run.peakRssMb.toFixed(0)} MB (idle ${idleRssMb.toFixed(0)} MB)`,
    );
  }
  expect(run.peakRssMb).toBeLessThan(bound);
  expect(run.status).toBe(200);
  expect(run.functionError).toBeNull();
  expect(run.durationMs).toBeLessThan(FLOOD_TIMEOUT_SECONDS * 1000);
  expect(run.neighbourMs.length).toBeGreaterThan(0);
  expect(run.neighbourFailures).toBe(0);
}

describe("a function that floods its stdout", () => {
  let agent: AgentProcess | undefined;
  /** The agent's RSS with every function deployed and the neighbour warm, before any flood. */
  let idleRssMb: number;

  beforeAll(async () => {
    const started = await startAgentProcess();
    agent = started;
    await deploy(started.url, neighbourFunction("neighbour"));
    await deploy(started.url, floodFunction("flood-raw", "raw", FLOOD_BYTES, FLOOD_TIMEOUT_SECONDS));
    await deploy(started.url, floodFunction("flood-lines", "lines", FLOOD_BYTES, FLOOD_TIMEOUT_SECONDS));
    for (let i = 0; i < 20; i++) expect((await invoke(started.url, "neighbour", "{}")).status).toBe(200);
    idleRssMb = rssMb(started.proc.pid);
  }, 20_000);

  afterAll(async () => {
    if (agent) await stopAgent(agent);
    agent = undefined; // its output, hundreds of MB of flood, goes with it: the rest of the run shares this process
  }, 20_000);

  test(
    "250 MB without a newline keep the agent within 64 MB of idle, end in time, and the neighbour answers",
    async () => {
      const run = await runFlood(agent!, {
        flood: "flood-raw",
        neighbour: "neighbour",
        tail: false,
        abortAboveRssMb: idleRssMb + RSS_GROWTH_BOUND_MB,
      });
      report("250 MB without a newline", run);
      expectContained(run, idleRssMb);
    },
    FLOOD_TEST_TIMEOUT_MS,
  );

  test(
    "250 MB of 100-byte lines with Tail do the same, and the tail is the last 4 KB, ending with REPORT",
    async () => {
      const run = await runFlood(agent!, {
        flood: "flood-lines",
        neighbour: "neighbour",
        tail: true,
        abortAboveRssMb: idleRssMb + RSS_GROWTH_BOUND_MB,
      });
      report("250 MB of lines, Tail", run);
      expectContained(run, idleRssMb);
      expect(Buffer.byteLength(run.log)).toBeLessThanOrEqual(LOG_TAIL_BYTES);
      expect(run.log).toMatch(
        /\n0{99}\nflood done\nEND RequestId: ([0-9a-f-]{36})\nREPORT RequestId: \1\tDuration: [\d.]+ ms\t[^\n]*\t\n$/,
      );
    },
    FLOOD_TEST_TIMEOUT_MS,
  );
});
