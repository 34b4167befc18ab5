/** @module CloudWatch Logs subscription: a gzip-compressed, base64-encoded batch of log events. */
import type { SampleEvent } from "./sample-event.ts";

/** `cloudwatch logs`: `awslogs.data` decodes (base64, then gunzip) to a real log-events document. */
export const cloudwatchLogs: SampleEvent = {
  description: "A CloudWatch Logs subscription batch (awslogs.data is gzip + base64)",
  flags: { "log-group": "Log group name", message: "The message of the first log event" },
  generate(options, context) {
    const time = context.now.getTime();
    const document = {
      messageType: "DATA_MESSAGE",
      owner: context.accountId,
      logGroup: options["log-group"] ?? "/aws/lambda/example",
      logStream: "2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
      subscriptionFilters: ["lambdalet-sample"],
      logEvents: [
        {
          id: "31953106606966983378809025079804211143289615424298221568",
          timestamp: time,
          message: options.message ?? "[ERROR] First test message",
        },
        {
          id: "31953106606966983378809025079804211143289615424298221569",
          timestamp: time + 1,
          message: "[ERROR] Second test message",
        },
      ],
    };
    const data = Buffer.from(Bun.gzipSync(new TextEncoder().encode(JSON.stringify(document)))).toString(
      "base64",
    );
    return { awslogs: { data } };
  },
};
