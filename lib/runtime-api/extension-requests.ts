/** @module What the Extensions API reads from an extension's request, and the answers it gives back. */
import type { EventName } from "./extension-types.ts";
import { reply } from "./replies.ts";
import { parseSubscription, type Subscription } from "./telemetry.ts";

/** 403 in the Runtime API's error shape: how the Extensions API refuses a request. */
export function forbidden(errorType: string, errorMessage: string): Response {
  return reply(403, errorType, errorMessage);
}

/** An event for an extension's `next`, with a fresh `Lambda-Extension-Event-Identifier`. */
export function eventResponse(event: object): Response {
  return Response.json(event, { headers: { "Lambda-Extension-Event-Identifier": crypto.randomUUID() } });
}

/**
 * The events a registration's body subscribes to, or the 403 that refuses it: unknown events, and SHUTDOWN for an
 * internal extension (`external` false), are refused as on Lambda.
 */
export function registrationEvents(
  body: Uint8Array | null,
  name: string,
  external: boolean,
): EventName[] | Response {
  let events: unknown;
  try {
    events =
      (JSON.parse(new TextDecoder().decode(body ?? new Uint8Array())) as { events?: unknown }).events ?? [];
  } catch (error) {
    return forbidden("InvalidRequestFormat", error instanceof Error ? error.message : String(error));
  }
  if (!Array.isArray(events)) return forbidden("InvalidRequestFormat", "events must be an array");
  for (const event of events) {
    if (event !== "INVOKE" && event !== "SHUTDOWN") {
      return forbidden("Extension.InvalidEventType", `${String(event)}: unknown event type`);
    }
    if (event === "SHUTDOWN" && !external) {
      return forbidden(
        "Extension.InvalidEventType",
        `SHUTDOWN: internal extensions (${name} is not a file of /opt/extensions) cannot subscribe to it`,
      );
    }
  }
  return events as EventName[];
}

/** The telemetry subscription a `PUT /2022-07-01/telemetry` body asks for, or the 400 that refuses it. */
export function telemetrySubscription(body: Uint8Array | null): Subscription | Response {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body ?? new Uint8Array()));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return Response.json({ errorType: "ValidationError", errorMessage: `Invalid JSON: ${message}` }, {
      status: 400,
    });
  }
  const subscription = parseSubscription(parsed);
  if (typeof subscription === "string") {
    return Response.json({ errorType: "ValidationError", errorMessage: subscription }, { status: 400 });
  }
  return subscription;
}
