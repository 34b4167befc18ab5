/** @module What an API Gateway REST route answers: the function's proxy result mapped to HTTP (payload format 1.0). */
import type { InvocationOutcome } from "../runtime-api/mod.ts";

/** A small JSON answer of the API itself (not of the function), as API Gateway's `{"message": …}`. */
export function restMessage(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ message }, { status, headers });
}

/** API Gateway's answer to a result it cannot map, a function error or a timeout. */
export function badGateway(): Response {
  return restMessage(502, "Internal server error", { "x-amzn-ErrorType": "InternalServerErrorException" });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isHeaderValue(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/**
 * The headers of a result: `headers` (one value each) and `multiValueHeaders` (a list each) merged, the lists'
 * values appended after the single one; null when either member is not of its shape.
 */
function resultHeaders(result: Record<string, unknown>): Headers | null {
  const headers = new Headers();
  const single = result.headers ?? {};
  const multi = result.multiValueHeaders ?? {};
  if (!isRecord(single) || !isRecord(multi)) return null;
  for (const [name, value] of Object.entries(single)) {
    if (value === null) continue;
    if (!isHeaderValue(value)) return null;
    headers.append(name, String(value));
  }
  for (const [name, values] of Object.entries(multi)) {
    if (values === null) continue;
    if (!Array.isArray(values) || !values.every(isHeaderValue)) return null;
    for (const value of values) headers.append(name, String(value));
  }
  return headers;
}

/**
 * The response to a route request for the function's outcome, as API Gateway maps a Lambda proxy result: an object
 * with a whole `statusCode`, optional `headers` and `multiValueHeaders` (merged), and a string `body` (decoded
 * when `isBase64Encoded`); anything else, a function error or a timeout, is `502 {"message":"Internal server error"}`.
 */
export function restResponse(outcome: InvocationOutcome): Response {
  if (outcome.kind === "error") return badGateway();
  let result: unknown;
  try {
    result = JSON.parse(new TextDecoder().decode(outcome.body));
  } catch {
    return badGateway();
  }
  if (!isRecord(result)) return badGateway();
  // a number, or its digits as text (API Gateway takes both)
  const status = typeof result.statusCode === "string" && /^\d+$/.test(result.statusCode)
    ? Number(result.statusCode)
    : result.statusCode;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    return badGateway();
  }
  const body = result.body ?? null;
  if (body !== null && typeof body !== "string") return badGateway();
  const headers = resultHeaders(result);
  if (!headers) return badGateway();
  if (!headers.has("content-type")) headers.set("content-type", "application/json");
  if (status === 204 || status === 304 || body === null) return new Response(null, { status, headers });
  const bytes = result.isBase64Encoded === true ? new Uint8Array(Buffer.from(body, "base64")) : body;
  return new Response(bytes, { status, headers });
}
