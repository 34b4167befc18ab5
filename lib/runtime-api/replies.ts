/** @module The Runtime API's answers to a worker, and what its error reports mean. */

const JSON_TYPE = { "Content-Type": "application/json" };

/** The error type a worker reported: its header, else the `errorType` of its JSON body, else `Unknown`. */
export function errorTypeOf(header: string | null, body: Uint8Array): string {
  if (header) return header;
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

/** Lambda's `{errorType, errorMessage}` error JSON. */
export function errorBody(errorType: string, errorMessage: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ errorType, errorMessage }));
}

/** 202 `{"status":"OK"}`: the worker's answer is taken. */
export function accepted(headers: Record<string, string> = {}): Response {
  return new Response('{"status":"OK"}', { status: 202, headers: { ...JSON_TYPE, ...headers } });
}

/** An error in the Runtime API's shape, `{errorMessage, errorType}`. */
export function reply(
  status: number,
  errorType: string,
  errorMessage: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ errorMessage, errorType }), {
    status,
    headers: { ...JSON_TYPE, ...headers },
  });
}
