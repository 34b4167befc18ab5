/** @module A function's new log lines as Server-Sent Events, for the function page's live tail. */
import type { FunctionLogs, LogRecord } from "../logs/mod.ts";
import { recordStreamResponse, TooManyFollowersError } from "../logs/mod.ts";

/** The lines of `name`'s log written from now on, as `text/event-stream`, until the browser goes; 429 past the followers' cap. */
export function logEventStream(
  logs: Pick<FunctionLogs, "tail">,
  name: string,
  request: Request,
): Response {
  const stop = new AbortController();
  request.signal.addEventListener("abort", () => stop.abort(), { once: true });
  let records: AsyncGenerator<LogRecord[]>;
  try {
    records = logs.tail(name, { sinceMs: Date.now() }, { signal: stop.signal });
  } catch (error) {
    if (!(error instanceof TooManyFollowersError)) throw error;
    return new Response(error.message, { status: 429, headers: { "retry-after": "10" } });
  }
  return recordStreamResponse(records, { format: "sse", stop });
}

/** The last `count` lines of `name`'s log of the past hour, oldest first. */
export async function lastLogLines(
  logs: Pick<FunctionLogs, "tail" | "bytesOf">,
  name: string,
  count: number,
): Promise<LogRecord[]> {
  if (logs.bytesOf(name) === 0) return [];
  const kept: LogRecord[] = [];
  for await (const batch of logs.tail(name, { sinceMs: Date.now() - 3600_000 }, null)) {
    kept.push(...batch);
    if (kept.length > count * 4) kept.splice(0, kept.length - count);
  }
  return kept.slice(-count);
}
