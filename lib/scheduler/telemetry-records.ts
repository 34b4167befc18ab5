/** @module The Telemetry API's records of a worker's life, in the shapes Lambda gives them. */
import { billedDurationMs } from "../logs/mod.ts";

/** A record's type and fields, for `TelemetryHub.emit`. */
export type PlatformRecord = [type: string, record: Record<string, unknown>];

/** How an invocation ended, in the Telemetry API's words. */
export type TelemetryStatus = "success" | "error" | "failure" | "timeout";

/** A `function` record: the line as written, or its object when the function logs JSON. */
export function functionRecord(line: string, logFormat: string): unknown {
  if (logFormat !== "JSON" || !line.startsWith("{")) return line;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}

/** The records that end a successful init: `platform.initRuntimeDone`, one `platform.extension` each, `platform.initReport`. */
export function initDoneRecords(
  extensions: readonly { name: string; events: string[] }[],
  durationMs: number,
): PlatformRecord[] {
  const phase = { initializationType: "on-demand", phase: "init" };
  return [
    ["platform.initRuntimeDone", { ...phase, status: "success" }],
    ...extensions.map(({ name, events }): PlatformRecord => [
      "platform.extension",
      { name, state: "Ready", events },
    ]),
    ["platform.initReport", { ...phase, status: "success", metrics: { durationMs: round(durationMs) } }],
  ];
}

/** The `tracing` member of an invocation's records. */
export function tracingOf(traceId: string): Record<string, string> {
  return { type: "X-Amzn-Trace-Id", value: traceId };
}

/** `platform.start`: the invocation began. */
export function startRecord(requestId: string, version: string, traceId: string): PlatformRecord {
  return ["platform.start", { requestId, version, tracing: tracingOf(traceId) }];
}

/** `platform.runtimeDone`: the runtime answered (or failed, or ran out of time). */
export function runtimeDoneRecord(
  requestId: string,
  status: TelemetryStatus,
  metrics: { durationMs: number; producedBytes: number },
  traceId: string,
  errorType?: string,
): PlatformRecord {
  return ["platform.runtimeDone", {
    requestId,
    status,
    ...(errorType === undefined ? {} : { errorType }),
    metrics: { durationMs: round(metrics.durationMs), producedBytes: metrics.producedBytes },
    tracing: tracingOf(traceId),
  }];
}

/** The numbers of a `platform.report`. */
export interface ReportMetrics {
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number | null;
  initDurationMs?: number;
}

/** `platform.report`: the invocation is over, extensions included. */
export function reportRecord(
  requestId: string,
  status: TelemetryStatus,
  metrics: ReportMetrics,
  traceId: string,
  errorType?: string,
): PlatformRecord {
  return ["platform.report", {
    requestId,
    status,
    ...(errorType === undefined ? {} : { errorType }),
    metrics: {
      durationMs: round(metrics.durationMs),
      billedDurationMs: billedDurationMs(metrics.durationMs),
      memorySizeMB: metrics.memorySizeMb,
      maxMemoryUsedMB: metrics.maxMemoryUsedMb ?? 0,
      ...(metrics.initDurationMs === undefined ? {} : { initDurationMs: round(metrics.initDurationMs) }),
    },
    tracing: tracingOf(traceId),
  }];
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
