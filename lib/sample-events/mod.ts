/** @module The sample events of the seed, by source and kind, for `lambdalet events generate`. */
import { apigatewayProxy } from "./apigateway.ts";
import { cloudwatchLogs } from "./cloudwatch-logs.ts";
import { dynamodbUpdate } from "./dynamodb.ts";
import { s3Delete, s3Put } from "./s3.ts";
import {
  type SampleContext,
  type SampleEvent,
  SampleEventError,
  type SampleOptions,
} from "./sample-event.ts";
import { sesReceive } from "./ses.ts";
import { snsNotification } from "./sns.ts";

export {
  type SampleContext,
  type SampleEvent,
  SampleEventError,
  type SampleOptions,
} from "./sample-event.ts";

/** Every sample event: `SAMPLE_EVENTS[source][kind]`. */
export const SAMPLE_EVENTS: Readonly<Record<string, Readonly<Record<string, SampleEvent>>>> = {
  s3: { put: s3Put, delete: s3Delete },
  dynamodb: { update: dynamodbUpdate },
  sns: { notification: snsNotification },
  ses: { receive: sesReceive },
  cloudwatch: { logs: cloudwatchLogs },
  apigateway: { proxy: apigatewayProxy },
};

/** Generates the `source kind` sample event with `options`. */
export function generateSample(
  source: string,
  kind: string,
  options: SampleOptions = {},
  context: Partial<SampleContext> = {},
): unknown {
  const kinds = SAMPLE_EVENTS[source];
  if (!kinds) {
    throw new SampleEventError(
      `Unknown event source '${source}': known sources are ${Object.keys(SAMPLE_EVENTS).join(", ")}`,
    );
  }
  const sample = kinds[kind];
  if (!sample) {
    throw new SampleEventError(
      `Unknown ${source} event '${kind}': known kinds are ${Object.keys(kinds).join(", ")}`,
    );
  }
  const unknown = Object.keys(options).filter((flag) =>
    options[flag] !== undefined && !(flag in sample.flags)
  );
  if (unknown.length) {
    throw new SampleEventError(
      `The ${source} ${kind} event takes no --${unknown[0]}: it takes ${
        Object.keys(sample.flags).map((flag) => `--${flag}`).join(", ")
      }`,
    );
  }
  return sample.generate(options, {
    region: context.region ?? "us-east-1",
    accountId: context.accountId ?? "000000000000",
    now: context.now ?? new Date(),
  });
}
