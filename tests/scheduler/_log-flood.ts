/** @module A function that floods its stdout, and a run of it that samples the agent's RSS and a neighbour's latency. */
import { readFileSync } from "node:fs";
import type { AgentProcess } from "../helpers/agent-process.ts";
import { createBodyWith, invoke, invokeTail } from "../helpers/functions.ts";

/**
 * A `provided` runtime that answers each event after writing `FLOOD_BYTES` bytes to stdout as fast as `tr` or
 * `yes` can.
 */
const FLOOD_BOOTSTRAP = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation"
while true; do
  REQUEST_ID=$(curl -sS -o /dev/null -D - "$API/next" | grep -Fi Lambda-Runtime-Aws-Request-Id | tr -d '[:space:]' | cut -d: -f2)
  case "$_HANDLER" in
    raw.*) head -c "$FLOOD_BYTES" /dev/zero | tr '\\0' x ;;
    short.*) yes 2>/dev/null | head -c "$FLOOD_BYTES" ;;
    *) yes "$(printf '%099d' 0)" 2>/dev/null | head -c "$FLOOD_BYTES" ;;
  esac
  echo "flood done"
  curl -sS -o /dev/null "$API/$REQUEST_ID/response" -d '{"flooded":true}'
done
`;

/**
 * How a flood writes: one endless line (`raw`), 100-byte lines (`lines`) or 2-byte lines (`short`, `yes`).
 */
export type FloodKind = "raw" | "lines" | "short";

/** The CreateFunction body of a function that writes `bytes` bytes of `kind` output per invocation. */
export function floodFunction(
  name: string,
  kind: FloodKind,
  bytes: number,
  timeoutSeconds: number,
): Record<string, unknown> {
  return createBodyWith(name, "provided.al2023", `${kind}.handler`, {
    bootstrap: { content: FLOOD_BOOTSTRAP, mode: 0o755 },
  }, { Timeout: timeoutSeconds, Environment: { Variables: { FLOOD_BYTES: String(bytes) } } });
}

/** A no-op neighbour, whose warm latency a flood should not change. */
export function neighbourFunction(name: string): Record<string, unknown> {
  return createBodyWith(name, "nodejs20.x", "index.handler", {
    "index.js": "exports.handler = async () => null;",
  }, { MemorySize: 128 });
}

/** The resident set size of process `pid`, in MB (`VmRSS` of /proc/<pid>/status). */
export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) / 1024;
}

/** The `p`th percentile of `samples`. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Options of {@linkcode runFlood}. */
export interface FloodRunOptions {
  /** The flooding function. */
  flood: string;
  /** The neighbour invoked again and again during the flood. */
  neighbour: string;
  /** Whether the flood is invoked with `X-Amz-Log-Type: Tail`. */
  tail: boolean;
  /** Stop waiting (and report `overflowed`) once the agent's RSS passes this many MB. @default Infinity */
  abortAboveRssMb?: number;
}

/** What one flood did to the agent. */
export interface FloodRun {
  /** The flood invocation's HTTP status and `X-Amz-Function-Error`, or null when the run was abandoned. */
  status: number | null;
  functionError: string | null;
  /** The decoded log tail (with `tail`), else "". */
  log: string;
  /** Milliseconds from invoke to answer (or to abandoning it). */
  durationMs: number;
  /** Agent RSS before the flood, and its highest sample during it, in MB. */
  idleRssMb: number;
  peakRssMb: number;
  /** Whether the run was abandoned because RSS passed `abortAboveRssMb`. */
  overflowed: boolean;
  /** The neighbour's latencies during the flood, in ms; and how many of its invocations failed. */
  neighbourMs: number[];
  neighbourFailures: number;
}

/** Invokes `flood` once while sampling the agent's RSS every 20 ms and invoking `neighbour` back to back. */
export async function runFlood(agent: AgentProcess, options: FloodRunOptions): Promise<FloodRun> {
  const pid = agent.proc.pid;
  const idleRssMb = rssMb(pid);
  let peakRssMb = idleRssMb;
  let done = false;
  let overflowed = false;
  const started = performance.now();
  const answer = options.tail
    ? invokeTail(agent.url, options.flood, "{}")
    : invoke(agent.url, options.flood, "{}").then(async (r) => ({
      status: r.status,
      functionError: r.headers.get("x-amz-function-error"),
      log: (await r.text(), ""),
    }));
  const finished = answer.finally(() => {
    done = true;
  });
  finished.catch(() => {}); // an abandoned run's answer may fail later, when the agent is stopped
  const sampler = (async () => {
    while (!done) {
      peakRssMb = Math.max(peakRssMb, rssMb(pid));
      if (peakRssMb > (options.abortAboveRssMb ?? Infinity)) {
        overflowed = true;
        done = true;
        return;
      }
      await Bun.sleep(20);
    }
  })();
  const neighbourMs: number[] = [];
  let neighbourFailures = 0;
  const neighbour = (async () => {
    while (!done) {
      const sent = performance.now();
      const response = await invoke(agent.url, options.neighbour, "{}");
      await response.arrayBuffer();
      if (response.status === 200) neighbourMs.push(performance.now() - sent);
      else neighbourFailures++;
    }
  })();
  const result = await Promise.race([finished, sampler.then(() => null)]);
  const durationMs = performance.now() - started;
  await sampler;
  // an agent past the bound may not answer the neighbour's last call for minutes, and fails it when stopped
  if (overflowed) neighbour.catch(() => {});
  else await neighbour;
  return {
    status: result?.status ?? null,
    functionError: result?.functionError ?? null,
    log: result?.log ?? "",
    durationMs,
    idleRssMb,
    peakRssMb,
    overflowed,
    neighbourMs,
    neighbourFailures,
  };
}

/** Stops `agent` with SIGTERM, and SIGKILL if it has not exited within `graceMs` (a flood it drains for). */
export async function stopAgent(agent: AgentProcess, graceMs = 5_000): Promise<void> {
  agent.proc.kill("SIGTERM");
  const timer = setTimeout(() => agent.proc.kill("SIGKILL"), graceMs);
  await agent.proc.exited;
  clearTimeout(timer);
}
