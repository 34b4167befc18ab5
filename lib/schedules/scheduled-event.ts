/** @module The event a schedule hands its function: EventBridge's "Scheduled Event". */

/** What a Scheduled Event names. */
export interface ScheduledEventFields {
  /** The function the schedule belongs to. */
  functionName: string;
  /** The schedule's index in the function's `Edge.eventSources`. */
  index: number;
  /** The scheduled time, epoch ms. */
  time: number;
  /** The region named in the ARN. */
  region: string;
  /** The account id named in the ARN. */
  accountId: string;
}

/** The rule-like ARN that stands for a function's schedule in its events' `resources`. */
export function scheduleArn(fields: Omit<ScheduledEventFields, "time">): string {
  return `arn:aws:events:${fields.region}:${fields.accountId}:rule/${fields.functionName}-schedule-${fields.index}`;
}

/** A time as EventBridge writes it: ISO 8601 in UTC, whole seconds. */
export function eventTime(time: number): string {
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** The JSON bytes of a Scheduled Event for one fire of a schedule. */
export function scheduledEvent(fields: ScheduledEventFields): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    version: "0",
    id: crypto.randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: fields.accountId,
    time: eventTime(fields.time),
    region: fields.region,
    resources: [scheduleArn(fields)],
    detail: {},
  }));
}
