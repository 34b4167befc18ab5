/** @module The invocation record Lambda sends to an asynchronous invocation's destination. */
import type { InvocationOutcome } from "../runtime-api/mod.ts";
import type { QueuedEvent } from "../store/mod.ts";

/** Why an event reached its destination. */
export type RecordCondition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

function parsed(bytes: Uint8Array | undefined): unknown {
  if (!bytes || bytes.byteLength === 0) return null;
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Builds the record: `{version, timestamp, requestContext, requestPayload, responseContext, responsePayload}`. */
export function destinationRecord(
  event: QueuedEvent,
  condition: RecordCondition,
  attempts: number,
  outcome: InvocationOutcome | null,
): Record<string, unknown> {
  return {
    version: "1.0",
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: event.id,
      functionArn: event.invokedArn,
      condition,
      approximateInvokeCount: attempts,
    },
    requestPayload: parsed(event.payload),
    responseContext: {
      statusCode: 200,
      executedVersion: event.version,
      ...(outcome?.kind === "error" ? { functionError: "Unhandled" } : {}),
    },
    responsePayload: parsed(outcome?.body),
  };
}
