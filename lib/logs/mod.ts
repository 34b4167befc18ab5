/** @module Functions' stored logs (per function, rotated, capped, followed), Lambda's log formats, the agent's own log. */
export { type AgentLogFormat, agentLogFormat, installAgentLog } from "./agent-log.ts";
export {
  type AgentLineFields,
  AgentLines,
  type AgentLinesOptions,
  type AgentLogLevel,
} from "./agent-lines.ts";
export { FunctionLogs, type FunctionLogsOptions, TooManyFollowersError } from "./function-logs.ts";
export type { LogCaps } from "./log-files.ts";
export { type LogFilter, matches } from "./log-follower.ts";
export {
  APPLICATION_LOG_LEVELS,
  billedDurationMs,
  type InvocationMetrics,
  type LogSettings,
  reportLine,
  structuredLine,
  SYSTEM_LOG_LEVELS,
  type WorkerLogEntry,
} from "./lambda-format.ts";
export { type LogRecord, type LogStream, parseRecord } from "./log-record.ts";
export { type RecordStreamFormat, type RecordStreamOptions, recordStreamResponse } from "./record-stream.ts";
