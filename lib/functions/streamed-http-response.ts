/** @module Turns a streamed invocation into the HTTP response a `RESPONSE_STREAM` function URL sends. */
import type { InvocationResult, StreamedInvocation } from "../scheduler/mod.ts";

/** The Content-Type of a stream that starts with HTTP metadata (`awslambda.HttpResponseStream.from`). */
export const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";

/** Options of {@linkcode httpResponseOf}. */
export interface HttpResponseOptions {
  /** The most bytes of metadata read before its 8 NUL bytes; past it, the answer is a 502. @default 16384 */
  maxPreludeBytes?: number;
}

/** Why a response stream was cut after its status had been sent: the function's error, as the worker reported it. */
export class ResponseStreamError extends Error {
  /** The error's type (`Sandbox.Timedout`, `Runtime.ExitError`, the handler's error name…). */
  readonly errorType: string;

  constructor(errorType: string, message: string) {
    super(`The function's response stream was cut by ${errorType}: ${message}`);
    this.name = "ResponseStreamError";
    this.errorType = errorType;
  }
}

const DELIMITER_BYTES = 8;

/** What is read of a response stream: chunk by chunk, or dropped. */
interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(reason?: unknown): Promise<void>;
}

/** The metadata a streamed HTTP response starts with. */
interface Prelude {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
}

/**
 * The HTTP response for `streamed`, as a `RESPONSE_STREAM` function URL answers. A streamed response whose
 * Content-Type is {@linkcode HTTP_INTEGRATION_CONTENT_TYPE} starts with JSON metadata (`statusCode`, `headers`,
 * `cookies`) and 8 NUL bytes: those make the status and headers, the rest is the body. Any other stream is the body
 * of a 200 with its Content-Type. The body passes on as it arrives (reading it slowly slows the worker down); a
 * function error after the first bytes errors the body with a {@linkcode ResponseStreamError}, so the chunked
 * response is cut rather than ended. An answer that came whole is a 200 with it as body; a function error before
 * any byte, or metadata that cannot be read, is Lambda's 502 `{"Message":"Internal Server Error"}`.
 */
export async function httpResponseOf(
  streamed: StreamedInvocation,
  options: HttpResponseOptions = {},
): Promise<Response> {
  if (!streamed.streamed) {
    const { outcome } = streamed.result;
    if (outcome.kind === "error") return internalServerError();
    return new Response(outcome.body as Uint8Array<ArrayBuffer>, {
      headers: { "Content-Type": "application/json" },
    });
  }
  const { response, completion } = streamed;
  const reader = response.body.getReader();
  if (response.contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
    const first = await reader.read();
    if (first.done && (await settled(completion)).outcome.kind === "error") return internalServerError();
    const leading = first.value ?? new Uint8Array();
    return new Response(bodyOf(leading, reader, completion), {
      headers: { "Content-Type": response.contentType },
    });
  }
  const head = await readPrelude(reader, options.maxPreludeBytes ?? 16 * 1024);
  if (!head) {
    void reader.cancel();
    return internalServerError();
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(head.prelude.headers ?? {})) headers.set(name, String(value));
  for (const cookie of head.prelude.cookies ?? []) headers.append("Set-Cookie", cookie);
  return new Response(bodyOf(head.rest, reader, completion), {
    status: head.prelude.statusCode ?? 200,
    headers,
  });
}

/** Reads up to the 8 NUL bytes after the metadata; null when they do not come within `limit` or it is not JSON. */
async function readPrelude(
  reader: ByteReader,
  limit: number,
): Promise<{ prelude: Prelude; rest: Uint8Array } | null> {
  let buffered = new Uint8Array();
  while (true) {
    const nul = buffered.indexOf(0);
    if (nul !== -1 && buffered.byteLength >= nul + DELIMITER_BYTES) {
      if (!buffered.subarray(nul, nul + DELIMITER_BYTES).every((byte) => byte === 0)) return null;
      const prelude = parsePrelude(buffered.subarray(0, nul));
      return prelude ? { prelude, rest: buffered.subarray(nul + DELIMITER_BYTES) } : null;
    }
    if (buffered.byteLength > limit + DELIMITER_BYTES) return null;
    const { done, value } = await reader.read();
    if (done || !value) return null;
    const joined = new Uint8Array(buffered.byteLength + value.byteLength);
    joined.set(buffered);
    joined.set(value, buffered.byteLength);
    buffered = joined;
  }
}

function parsePrelude(bytes: Uint8Array): Prelude | null {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    const prelude = parsed as Prelude;
    const status = prelude.statusCode;
    if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599)) return null;
    return prelude;
  } catch {
    return null;
  }
}

/** `leading`, then the rest of `reader`; at its end, closed on success or errored with the function's error. */
function bodyOf(
  leading: Uint8Array,
  reader: ByteReader,
  completion: Promise<InvocationResult>,
): ReadableStream<Uint8Array> {
  let pending = leading.byteLength ? leading : null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending) {
        controller.enqueue(pending);
        pending = null;
        return;
      }
      const next = await reader.read();
      if (!next.done) {
        if (next.value) controller.enqueue(next.value);
        return;
      }
      const { outcome } = await settled(completion);
      if (outcome.kind === "error") {
        controller.error(new ResponseStreamError(outcome.errorType, messageOf(outcome.body)));
      } else controller.close();
    },
    cancel(reason) {
      void reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

async function settled(completion: Promise<InvocationResult>): Promise<InvocationResult> {
  return await completion.catch((error: unknown) => ({
    outcome: {
      kind: "error" as const,
      errorType: "ServiceException",
      body: new TextEncoder().encode(error instanceof Error ? error.message : String(error)),
    },
    log: "",
  }));
}

function messageOf(body: Uint8Array): string {
  const text = new TextDecoder().decode(body);
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === "string" ? parsed.errorMessage : text;
  } catch {
    return text;
  }
}

function internalServerError(): Response {
  return Response.json({ Message: "Internal Server Error" }, { status: 502 });
}
