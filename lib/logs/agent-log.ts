/** @module The agent's own log: its console lines as text (for a terminal) or JSON lines, each with a level. */
import { format } from "node:util";

/** How the agent's own lines are written. */
export type AgentLogFormat = "text" | "json";

/** The level of each console method. */
const LEVELS = { debug: "debug", log: "info", info: "info", warn: "warn", error: "error" } as const;

/** Where the lines go: stdout for debug and info, stderr for warn and error. */
export interface AgentLogOutputs {
  /** Takes debug and info lines. @default process.stdout */
  stdout?: { write(text: string): unknown };
  /** Takes warn and error lines. @default process.stderr */
  stderr?: { write(text: string): unknown };
}

/** The format for `requested`, or when none is, by whether stdout is a terminal: text there, JSON lines otherwise. */
export function agentLogFormat(
  requested: AgentLogFormat | null,
  isTerminal = process.stdout.isTTY === true,
): AgentLogFormat {
  return requested ?? (isTerminal ? "text" : "json");
}

/**
 * Routes the agent's `console` lines through one writer: `text` writes them as they are (what a person at a
 * terminal reads); `json` writes `{"time","level","message"}` a line, for journald, Docker or a log shipper.
 */
export function installAgentLog(logFormat: AgentLogFormat, outputs: AgentLogOutputs = {}): void {
  if (logFormat === "text") return;
  const stdout = outputs.stdout ?? process.stdout;
  const stderr = outputs.stderr ?? process.stderr;
  for (const [method, level] of Object.entries(LEVELS)) {
    const output = level === "warn" || level === "error" ? stderr : stdout;
    console[method as keyof typeof LEVELS] = (...args: unknown[]) => {
      output.write(
        `${JSON.stringify({ time: new Date().toISOString(), level, message: format(...args) })}\n`,
      );
    };
  }
}
