/** @module Decodes `X-Amz-Client-Context`: base64 JSON of at most 3583 bytes. */
import { MAX_CLIENT_CONTEXT_BYTES } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";

/** Decodes the header to the JSON text handed to the runtime, or throws Lambda's 400. */
export function decodeClientContext(header: string | undefined): string | undefined {
  if (header === undefined || header === "") return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(header)) {
    throw new LambdaError(
      "InvalidRequestContentException",
      "Client context must be a valid Base64-encoded JSON object.",
    );
  }
  const decoded = Buffer.from(header, "base64");
  if (decoded.byteLength > MAX_CLIENT_CONTEXT_BYTES) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `Client context must be at most ${MAX_CLIENT_CONTEXT_BYTES} bytes once decoded: it is ${decoded.byteLength}`,
    );
  }
  const text = decoded.toString("utf8");
  if (!isJsonObject(text)) {
    throw new LambdaError(
      "InvalidRequestContentException",
      "Client context must be a valid Base64-encoded JSON object.",
    );
  }
  return text;
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
  } catch {
    return false;
  }
}
