/** @module Log records as an HTTP stream (NDJSON or Server-Sent Events), kept alive while it follows the log. */
import type { LogRecord } from "./log-record.ts";

/** How the records are written: one JSON record a line, or Server-Sent Events (`data: <record>`). */
export type RecordStreamFormat = "ndjson" | "sse";

/** Options of {@linkcode recordStreamResponse}. */
export interface RecordStreamOptions {
  /** One JSON record a line (`application/x-ndjson`), or Server-Sent Events (`text/event-stream`). */
  format: RecordStreamFormat;
  /** Aborted when the reader goes (it cancels, or a keepalive cannot be written): it ends `records`. */
  stop: AbortController;
  /** Whether `records` follows the log: a first line then a keepalive line every `keepaliveMs` are sent. @default true */
  follow?: boolean;
  /** How often a following reader gets a comment (SSE) or empty (NDJSON) line while nothing is written. @default 15000 */
  keepaliveMs?: number;
}

const CONTENT_TYPES: Record<RecordStreamFormat, string> = {
  ndjson: "application/x-ndjson",
  sse: "text/event-stream",
};

/** A response that streams each batch of `records` as it comes, until they end or the reader goes. */
export function recordStreamResponse(
  records: AsyncGenerator<LogRecord[]>,
  options: RecordStreamOptions,
): Response {
  const { format, stop } = options;
  const sse = format === "sse";
  const keepaliveMs = options.keepaliveMs ?? 15_000;
  const encoder = new TextEncoder();
  const render = (record: LogRecord) =>
    sse ? `data: ${JSON.stringify(record)}\n\n` : `${JSON.stringify(record)}\n`;
  let keepalive: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (options.follow === false) return;
      // a comment (SSE) or an empty line (NDJSON) now, so that the reader sees the stream has begun
      controller.enqueue(encoder.encode(sse ? ": following\n\n" : "\n"));
      keepalive = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(sse ? ": keepalive\n\n" : "\n"));
        } catch {
          stop.abort();
        }
      }, keepaliveMs);
    },
    async pull(controller) {
      const next = await records.next();
      if (next.done) {
        clearInterval(keepalive);
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map(render).join("")));
    },
    cancel() {
      clearInterval(keepalive);
      stop.abort();
    },
  }, { highWaterMark: 0 });
  return new Response(body, {
    headers: { "content-type": CONTENT_TYPES[format], "cache-control": "no-store" },
  });
}
