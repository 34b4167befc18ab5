/** @module Functions' stored logs (per function, rotated, capped, followed) and Lambda's log formats. */
export { type AgentLogFormat, agentLogFormat, installAgentLog } from "./agent-log.ts";
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
