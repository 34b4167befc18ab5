/** @module The `application/vnd.amazon.eventstream` body of InvokeWithResponseStream: PayloadChunk, then InvokeComplete. */
import { EventStreamCodec } from "@smithy/core/event-streams";
import type { InvocationResult } from "../scheduler/mod.ts";
import { logTail } from "../scheduler/mod.ts";

/** The Content-Type of an event stream response. */
export const EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream";

/** The largest payload one PayloadChunk event carries; longer writes are split, in bytes. */
export const MAX_CHUNK_BYTES = 256 * 1024;

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const codec = new EventStreamCodec(
  (input: Uint8Array | string) => (typeof input === "string" ? input : decoder.decode(input)),
  (input: string) => encoder.encode(input),
);

function event(type: string, contentType: string, body: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: contentType },
      ":message-type": { type: "string", value: "event" },
    },
    body,
  });
}

/** The PayloadChunk events carrying `bytes` (none for no bytes; several past {@linkcode MAX_CHUNK_BYTES}). */
export function payloadChunks(bytes: Uint8Array): Uint8Array[] {
  const events: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += MAX_CHUNK_BYTES) {
    events.push(
      event("PayloadChunk", "application/octet-stream", bytes.subarray(offset, offset + MAX_CHUNK_BYTES)),
    );
  }
  return events;
}

/**
 * The InvokeComplete event that ends the stream: `ErrorCode` (the error's type) and `ErrorDetails` (its message)
 * when the invocation failed, `LogResult` (base64 of the log's last 4 KB) when the caller asked for the log.
 */
export function invokeComplete(result: InvocationResult, withLog: boolean): Uint8Array {
  const members: Record<string, string> = {};
  if (result.outcome.kind === "error") {
    members.ErrorCode = result.outcome.errorType;
    members.ErrorDetails = errorMessageOf(result.outcome.body);
  }
  if (withLog) members.LogResult = logTail(result.log);
  return event("InvokeComplete", "application/json", encoder.encode(JSON.stringify(members)));
}

/** The error's `errorMessage` when its body is Lambda's error JSON, else the body as text. */
function errorMessageOf(body: Uint8Array): string {
  const text = decoder.decode(body);
  try {
    const parsed: unknown = JSON.parse(text);
    if (
      parsed && typeof parsed === "object" && "errorMessage" in parsed &&
      typeof parsed.errorMessage === "string"
    ) {
      return parsed.errorMessage;
    }
  } catch {
    // not JSON: the text as it is
  }
  return text;
}
