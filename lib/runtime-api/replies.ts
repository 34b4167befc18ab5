/** @module The Runtime API's answers to a worker, and what its error reports mean. */
import type { ServerResponse } from "node:http";

/** The error type a worker reported: its header, else the `errorType` of its JSON body, else `Unknown`. */
export function errorTypeOf(header: string | string[] | undefined, body: Uint8Array): string {
  if (typeof header === "string" && header) return header;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    if (
      parsed && typeof parsed === "object" && "errorType" in parsed && typeof parsed.errorType === "string"
    ) {
      return parsed.errorType;
    }
  } catch {
    // not JSON: the type stays unknown
  }
  return "Unknown";
}

/** The `Lambda-Runtime-Function-Error-Body` trailer, base64 of the error's JSON; null when absent or not base64. */
export function decodeErrorBody(trailer: string | undefined): Uint8Array | null {
  if (!trailer) return null;
  try {
    const bytes = new Uint8Array(Buffer.from(trailer.trim(), "base64"));
    return bytes.byteLength ? bytes : null;
  } catch {
    return null;
  }
}

/** Lambda's `{errorType, errorMessage}` error JSON. */
export function errorBody(errorType: string, errorMessage: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ errorType, errorMessage }));
}

/** 202 `{"status":"OK"}`: the worker's answer is taken. */
export function accepted(res: ServerResponse): void {
  send(res, 202, '{"status":"OK"}');
}

/** An error in the Runtime API's shape, `{errorMessage, errorType}`. */
export function reply(
  res: ServerResponse,
  status: number,
  errorType: string,
  errorMessage: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify({ errorMessage, errorType }), headers);
}

/** Sends a JSON answer, unless one was sent already or the connection is gone. */
function send(res: ServerResponse, status: number, json: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(json);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": body.byteLength,
    ...headers,
  });
  res.end(body);
}
