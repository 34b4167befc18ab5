/** @module Turns what a worker writes and does into stored lines, in the function's Lambda log format and levels. */
import type { LogRecord, LogStream } from "./log-record.ts";

/** Lambda's application log levels, lowest first. */
export const APPLICATION_LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
/** Lambda's system log levels, lowest first. */
export const SYSTEM_LOG_LEVELS = ["DEBUG", "INFO", "WARN"] as const;

/** How a function's logs are written: Lambda's `LoggingConfig`. */
export interface LogSettings {
  /** `Text`: lines as written, START/END/REPORT; `JSON`: structured records, filtered by level. */
  logFormat: "Text" | "JSON";
  /** The lowest level of application records kept (JSON only). @default "INFO" */
  applicationLogLevel?: (typeof APPLICATION_LOG_LEVELS)[number];
  /** The lowest level of platform records kept (JSON only). @default "INFO" */
  systemLogLevel?: (typeof SYSTEM_LOG_LEVELS)[number];
}

/** What a worker wrote or went through, as the scheduler reports it. */
export type WorkerLogEntry =
  | { kind: "line"; stream: "stdout" | "stderr"; message: string; requestId: string | null }
  | { kind: "start"; requestId: string; version: string }
  | { kind: "end"; requestId: string }
  | { kind: "report"; report: InvocationMetrics };

/** The numbers of one invocation's REPORT line. */
export interface InvocationMetrics {
  /** The request id. */
  requestId: string;
  /** Milliseconds from delivery to outcome. */
  durationMs: number;
  /** The function's memory setting, in MB. */
  memorySizeMb: number;
  /** The worker's peak memory in MB, when known. */
  maxMemoryUsedMb: number | null;
  /** Milliseconds the worker took to start, on a cold start only. */
  initDurationMs?: number;
  /** How it ended: `success`, `error` (a function error) or `timeout`. */
  status: "success" | "error" | "timeout";
}

/** Lambda's billed duration: the duration rounded up to the millisecond, at least 1. */
export function billedDurationMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

/** The REPORT line of Lambda's text format (tab-separated fields, a tab at the end). */
export function reportLine(report: InvocationMetrics): string {
  const fields = [
    `REPORT RequestId: ${report.requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${billedDurationMs(report.durationMs)} ms`,
    `Memory Size: ${report.memorySizeMb} MB`,
    `Max Memory Used: ${report.maxMemoryUsedMb ?? 0} MB`,
  ];
  if (report.initDurationMs !== undefined) {
    fields.push(`Init Duration: ${report.initDurationMs.toFixed(2)} ms`);
  }
  return `${fields.join("\t")}\t`;
}

/** A line of the nodejs runtime's text format: `time<TAB>request id<TAB>LEVEL<TAB>message`. */
const NODE_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t(\S+)\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t(.*)$/s;
/** A line of the python runtime's text format: `[LEVEL]<TAB>time<TAB>request id<TAB>message`. */
const PYTHON_LINE = /^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\]\t(\d{4}-\d\d-\d\dT[\d:.]+Z)\t(\S+)\t(.*)$/s;
const PYTHON_LEVELS: Record<string, string> = {
  DEBUG: "DEBUG",
  INFO: "INFO",
  WARNING: "WARN",
  ERROR: "ERROR",
  CRITICAL: "FATAL",
};

function rank(levels: readonly string[], level: string): number {
  return levels.indexOf(level.toUpperCase());
}

/**
 * A runtime's application line in Lambda's JSON shape (`timestamp`, `level`, `requestId`, `message`) and its
 * level: a line that already is a JSON object is kept as it is; a line in a runtime's text format is rebuilt;
 * anything else (a raw write) stays text, with no level, as on Lambda.
 */
export function structuredLine(line: string): { message: string; level: string | null } {
  if (line.startsWith("{")) {
    try {
      const value = JSON.parse(line) as unknown;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const level = (value as { level?: unknown }).level;
        return { message: line, level: typeof level === "string" ? level.toUpperCase() : null };
      }
    } catch {
      // not JSON after all: text
    }
  }
  const node = NODE_LINE.exec(line);
  const python = node ? null : PYTHON_LINE.exec(line);
  if (!node && !python) return { message: line, level: null };
  const [timestamp, requestId, level, text] = node
    ? [node[1]!, node[2]!, node[3]!, node[4]!]
    : [python![2]!, python![3]!, PYTHON_LEVELS[python![1]!]!, python![4]!];
  const record = {
    timestamp,
    level,
    requestId: requestId === "undefined" || requestId === "None" ? undefined : requestId,
    // the runtimes put CR for the message's own line breaks, to keep it one line of the stream
    message: text.replaceAll("\r", "\n"),
  };
  return { message: JSON.stringify(record), level };
}

/**
 * The stored line for `entry` in the function's format at `iso` (an ISO 8601 time), or null when its level is filtered out (JSON)
 * or the format has no such line (END has no record of its own in JSON).
 */
export function formatEntry(settings: LogSettings, entry: WorkerLogEntry, iso: string): LogRecord | null {
  const json = settings.logFormat === "JSON";
  const record = (requestId: string | null, stream: LogStream, message: string): LogRecord => ({
    time: iso,
    requestId,
    stream,
    message,
  });
  if (entry.kind === "line") {
    if (!json) return record(entry.requestId, entry.stream, entry.message);
    const { message, level } = structuredLine(entry.message);
    const minimum = rank(APPLICATION_LOG_LEVELS, settings.applicationLogLevel ?? "INFO");
    if (
      level !== null && rank(APPLICATION_LOG_LEVELS, level) !== -1 &&
      rank(APPLICATION_LOG_LEVELS, level) < minimum
    ) {
      return null;
    }
    return record(entry.requestId, entry.stream, message);
  }
  const systemKept =
    rank(SYSTEM_LOG_LEVELS, settings.systemLogLevel ?? "INFO") <= rank(SYSTEM_LOG_LEVELS, "INFO");
  switch (entry.kind) {
    case "start":
      if (!json) {
        return record(
          entry.requestId,
          "platform",
          `START RequestId: ${entry.requestId} Version: ${entry.version}`,
        );
      }
      if (!systemKept) return null;
      return record(
        entry.requestId,
        "platform",
        JSON.stringify({
          time: iso,
          type: "platform.start",
          record: { requestId: entry.requestId, version: entry.version },
        }),
      );
    case "end":
      return json ? null : record(entry.requestId, "platform", `END RequestId: ${entry.requestId}`);
    case "report": {
      const report = entry.report;
      if (!json) return record(report.requestId, "platform", reportLine(report));
      if (!systemKept) return null;
      const metrics = {
        durationMs: Number(report.durationMs.toFixed(2)),
        billedDurationMs: billedDurationMs(report.durationMs),
        memorySizeMB: report.memorySizeMb,
        maxMemoryUsedMB: report.maxMemoryUsedMb ?? 0,
        ...(report.initDurationMs === undefined
          ? {}
          : { initDurationMs: Number(report.initDurationMs.toFixed(2)) }),
      };
      return record(
        report.requestId,
        "platform",
        JSON.stringify({
          time: iso,
          type: "platform.report",
          record: { requestId: report.requestId, metrics, status: report.status },
        }),
      );
    }
  }
}

let lastMs = -1;
let lastIso = "";

/** The time now in ISO 8601, the same string again within a millisecond (a flood reads many lines in one). */
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** The platform line saying that `count` lines were dropped, in the function's format. */
export function droppedNotice(settings: LogSettings, count: number, reason: string, iso: string): LogRecord {
  const text = `${count} line${count === 1 ? "" : "s"} of this function's log dropped: ${reason}`;
  return {
    time: iso,
    requestId: null,
    stream: "platform",
    message: settings.logFormat === "JSON"
      ? JSON.stringify({
        time: iso,
        type: "platform.logsDropped",
        record: { droppedRecords: count, reason: text },
      })
      : `lambdalet: ${text}`,
  };
}
