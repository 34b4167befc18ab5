/** @module One stored log line of a function: its time, request id, stream and message, one JSON object a line. */

/** Where a line came from: the worker's stdout or stderr, or the platform (START, END, REPORT, notices). */
export type LogStream = "stdout" | "stderr" | "platform";

/** A line of a function's log as it is stored and served. */
export interface LogRecord {
  /** When the agent read the line, ISO 8601 in UTC with milliseconds. */
  time: string;
  /** The invocation running on the worker when it wrote the line; null between invocations and while starting. */
  requestId: string | null;
  /** The stream the line came from. */
  stream: LogStream;
  /** The line, without its newline (in Lambda's JSON format, the JSON text of the record). */
  message: string;
}

/** The largest stored record, in bytes of its serialized form; a longer message is cut to fit. */
export const MAX_RECORD_BYTES = 300 * 1024;

/** The marker put at the end of a message that was cut to fit {@linkcode MAX_RECORD_BYTES}. */
const CUT_MARKER = " [cut: line too long]";

/** The stored form of `record`: one line of JSON with its newline, at most `maxBytes` long. */
export function serializeRecord(record: LogRecord, maxBytes: number = MAX_RECORD_BYTES): string {
  const text = JSON.stringify(record) + "\n";
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  // escaping may grow a character to six bytes: cut the message to a sixth of the room left, at worst
  const room = Math.max(0, Math.floor((maxBytes - 256) / 6));
  return JSON.stringify({ ...record, message: record.message.slice(0, room) + CUT_MARKER }) + "\n";
}

/** Reads one stored line back; null for a line that is not a record (a torn write after a crash). */
export function parseRecord(line: string): LogRecord | null {
  if (!line.startsWith("{")) return null;
  try {
    const value = JSON.parse(line) as Partial<LogRecord>;
    if (typeof value.time !== "string" || typeof value.message !== "string") return null;
    const stream = value.stream === "stderr" || value.stream === "platform" ? value.stream : "stdout";
    return {
      time: value.time,
      requestId: typeof value.requestId === "string" ? value.requestId : null,
      stream,
      message: value.message,
    };
  } catch {
    return null;
  }
}
