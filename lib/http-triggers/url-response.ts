/** @module What a function URL answers: the function's result mapped to HTTP as Lambda maps it (payload format 2.0). */
import type { InvocationOutcome } from "../runtime-api/mod.ts";

/** A small JSON answer of the URL itself (not of the function), as `{"Message": …}`. */
export function urlMessage(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ Message: message }, { status, headers });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The body a structured result names: its text, or its bytes when `isBase64Encoded`. */
function bodyOf(result: Record<string, unknown>): string | Uint8Array<ArrayBuffer> | null {
  const body = result.body;
  if (body === undefined || body === null) return null;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return result.isBase64Encoded === true ? new Uint8Array(Buffer.from(text, "base64")) : text;
}

/** A structured result (`statusCode`, `headers`, `cookies`, `body`, `isBase64Encoded`) as a response. */
function structured(result: Record<string, unknown>): Response {
  const status = Number(result.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    return urlMessage(502, "Internal Server Error");
  }
  const headers = new Headers();
  if (isRecord(result.headers)) {
    for (const [name, value] of Object.entries(result.headers)) {
      if (value !== undefined && value !== null) headers.set(name, String(value));
    }
  }
  if (Array.isArray(result.cookies)) {
    for (const cookie of result.cookies) headers.append("set-cookie", String(cookie));
  }
  if (!headers.has("content-type")) headers.set("content-type", "application/json");
  const body = status === 204 || status === 304 ? null : bodyOf(result);
  return new Response(body, { status, headers });
}

/**
 * The response to a function URL request for the function's outcome: a result with a `statusCode` says the status,
 * headers, cookies and body; any other result is the 200 `application/json` body as it is; a function error is 502.
 */
export function urlResponse(outcome: InvocationOutcome): Response {
  if (outcome.kind === "error") return urlMessage(502, "Internal Server Error");
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(outcome.body));
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed) && "statusCode" in parsed) return structured(parsed);
  return new Response(outcome.body as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: { "content-type": "application/json" },
  });
}
