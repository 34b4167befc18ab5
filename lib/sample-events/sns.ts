/** @module SNS: a message published to a topic. */
import type { SampleEvent } from "./sample-event.ts";

/** `sns notification`. */
export const snsNotification: SampleEvent = {
  description: "A message published to an SNS topic",
  flags: { message: "The message", subject: "The subject", "topic-arn": "The topic's ARN" },
  generate(options, context) {
    const topicArn = options["topic-arn"] ??
      `arn:aws:sns:${context.region}:${context.accountId}:example-topic`;
    return {
      Records: [{
        EventVersion: "1.0",
        EventSource: "aws:sns",
        EventSubscriptionArn: `${topicArn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
        Sns: {
          Type: "Notification",
          MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
          TopicArn: topicArn,
          Subject: options.subject ?? "Example subject",
          Message: options.message ?? "Hello from SNS!",
          Timestamp: context.now.toISOString(),
          SignatureVersion: "1",
          Signature: "EXAMPLE",
          SigningCertUrl: "EXAMPLE",
          UnsubscribeUrl: "EXAMPLE",
          MessageAttributes: {
            Test: { Type: "String", Value: "TestString" },
            TestBinary: { Type: "Binary", Value: "VGVzdEJpbmFyeQ==" },
          },
        },
      }],
    };
  },
};
