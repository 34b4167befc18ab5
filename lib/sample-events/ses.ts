/** @module SES: an email was received. */
import type { SampleEvent } from "./sample-event.ts";

/** `ses receive`. */
export const sesReceive: SampleEvent = {
  description: "An email received by SES",
  flags: { from: "Sender address", to: "Recipient address", subject: "Subject line" },
  generate(options, context) {
    const from = options.from ?? "sender@example.com";
    const to = options.to ?? "recipient@example.com";
    const subject = options.subject ?? "Test Subject";
    const date = context.now.toUTCString();
    const messageId = "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1";
    const verdict = { status: "PASS" };
    return {
      Records: [{
        eventSource: "aws:ses",
        eventVersion: "1.0",
        ses: {
          mail: {
            timestamp: context.now.toISOString(),
            source: from,
            messageId,
            destination: [to],
            headersTruncated: false,
            headers: [
              { name: "Return-Path", value: `<${from}>` },
              { name: "From", value: from },
              { name: "To", value: to },
              { name: "Date", value: date },
              { name: "Subject", value: subject },
              { name: "MIME-Version", value: "1.0" },
              { name: "Content-Type", value: "text/plain; charset=UTF-8" },
            ],
            commonHeaders: {
              returnPath: from,
              from: [from],
              date,
              to: [to],
              messageId: `<${messageId}>`,
              subject,
            },
          },
          receipt: {
            timestamp: context.now.toISOString(),
            processingTimeMillis: 574,
            recipients: [to],
            spamVerdict: verdict,
            virusVerdict: verdict,
            spfVerdict: verdict,
            dkimVerdict: verdict,
            dmarcVerdict: verdict,
            action: {
              type: "Lambda",
              invocationType: "Event",
              functionArn: `arn:aws:lambda:${context.region}:${context.accountId}:function:example`,
            },
          },
        },
      }],
    };
  },
};
