/** @module Talks to a running agent over HTTP the way the AWS CLI does, with its error messages and exit codes. */
import { signRequest } from "../auth/mod.ts";
import { findClientIdentity } from "./client-credentials.ts";
import { CliError } from "./cli-error.ts";
import { byteProgress, elapsed, formatBytes, ProgressLine } from "./progress.ts";

export { CliError, exitOnCliError } from "./cli-error.ts";

/** Request bodies from this size on (a zip of a few MB, base64 in JSON) show their upload on a terminal. */
export const UPLOAD_PROGRESS_MIN_BYTES = 1024 * 1024;

/** The slice of a body handed to the connection at a time, counted as sent when taken. */
const UPLOAD_CHUNK_BYTES = 64 * 1024;

/** The endpoint used when neither `--endpoint-url` nor `AWS_ENDPOINT_URL_LAMBDA` / `AWS_ENDPOINT_URL` is set. */
export const DEFAULT_ENDPOINT = "http://127.0.0.1:9001";

/**
 * The endpoint to call: the flag, then the AWS environment variables, then the `endpoint_url` of the agent's
 * credentials file (when readable), then the local agent's default.
 */
export function resolveEndpoint(flag: string | undefined): string {
  const value = flag ?? process.env.AWS_ENDPOINT_URL_LAMBDA ?? process.env.AWS_ENDPOINT_URL ??
    findClientIdentity()?.credentials.endpointUrl ?? DEFAULT_ENDPOINT;
  if (!/^https?:\/\/[^\s/]+/.test(value)) {
    throw new CliError(`Bad value for --endpoint-url "${value}": it must be an http:// or https:// URL`, 252);
  }
  return value.replace(/\/+$/, "");
}

/** One call to the API. */
export interface ApiCall {
  /** The operation's name, used in error messages (`Invoke`). */
  operation: string;
  /** HTTP method. */
  method: string;
  /** Path and query, such as `/2015-03-31/functions`. */
  path: string;
  /** The request body. */
  body?: string | Uint8Array;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** Sends `call` to the agent at `endpoint`; throws {@linkcode CliError} with the AWS CLI's wording on failure. */
export async function callApi(endpoint: string, call: ApiCall): Promise<Response> {
  const url = `${endpoint}${call.path}`;
  const identity = findClientIdentity();
  const headers = identity
    ? await signRequest(
      {
        method: call.method,
        url,
        headers: call.headers ?? {},
        ...(call.body === undefined ? {} : { body: call.body }),
      },
      identity.credentials,
      identity.region,
    )
    : call.headers;
  let response: Response;
  const progress = new ProgressLine();
  try {
    response = await fetch(url, {
      method: call.method,
      headers,
      ...uploadBody(call, progress, headers),
    });
  } catch {
    progress.done();
    throw new CliError(`Could not connect to the endpoint URL: "${url}"`, 255);
  }
  progress.done();
  if (response.ok) return response;
  const type = response.headers.get("x-amzn-errortype") ?? `HTTP ${response.status}`;
  const text = await response.text();
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: string; Message?: string };
    message = parsed.message ?? parsed.Message ?? text;
  } catch {
    // not JSON: show the text as it came
  }
  throw new CliError(
    `An error occurred (${type.split(":")[0]}) when calling the ${call.operation} operation: ${message}`,
    254,
  );
}

/**
 * The fetch body of `call`: as it is, or on a terminal a large one as a stream whose slices are counted as the
 * connection takes them, so that the progress line shows the bytes sent (its length is given: no chunked upload).
 */
function uploadBody(
  call: ApiCall,
  progress: ProgressLine,
  headers: Record<string, string> | undefined,
): {
  body: string | Uint8Array | ReadableStream<Uint8Array> | null;
  duplex?: "half";
  headers?: Record<string, string>;
} {
  const body = call.body ?? null;
  if (body === null || !progress.active) return { body };
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  if (bytes.byteLength < UPLOAD_PROGRESS_MIN_BYTES) return { body };
  const total = bytes.byteLength;
  const label = `Sending ${call.operation}`;
  const started = performance.now();
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) {
        progress.update(
          `${label}: ${formatBytes(total)} sent in ${elapsed(started)}, waiting for the answer`,
          true,
        );
        controller.close();
        return;
      }
      const slice = bytes.subarray(sent, sent + UPLOAD_CHUNK_BYTES);
      sent += slice.byteLength;
      controller.enqueue(slice);
      progress.update(byteProgress(label, sent, total));
    },
  }, { highWaterMark: 0 });
  progress.update(byteProgress(label, 0, total), true);
  return {
    body: stream,
    duplex: "half",
    headers: { ...headers, "content-length": String(total) },
  };
}
