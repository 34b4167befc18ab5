/** @module DynamoDB stream records: an item inserted, modified, then removed. */
import type { SampleEvent } from "./sample-event.ts";

/** `dynamodb update`: INSERT, MODIFY and REMOVE records of one item. */
export const dynamodbUpdate: SampleEvent = {
  description: "A stream batch with INSERT, MODIFY and REMOVE records of one item",
  flags: { table: "Table name", id: "The item's numeric Id", message: "The item's new Message" },
  generate(options, context) {
    const table = options.table ?? "ExampleTable";
    const id = { Id: { N: options.id ?? "101" } };
    const created = { Message: { S: "New item!" }, ...id };
    const changed = { Message: { S: options.message ?? "This item has changed" }, ...id };
    const arn =
      `arn:aws:dynamodb:${context.region}:${context.accountId}:table/${table}/stream/2024-01-01T00:00:00.000`;
    const base = (eventID: string, eventName: string, sequence: string, images: Record<string, unknown>) => ({
      eventID,
      eventName,
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: context.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(context.now.getTime() / 1000),
        Keys: id,
        SequenceNumber: sequence,
        SizeBytes: JSON.stringify(images).length,
        StreamViewType: "NEW_AND_OLD_IMAGES",
        ...images,
      },
      eventSourceARN: arn,
    });
    return {
      Records: [
        base("1", "INSERT", "111", { NewImage: created }),
        base("2", "MODIFY", "222", { OldImage: created, NewImage: changed }),
        base("3", "REMOVE", "333", { OldImage: changed }),
      ],
    };
  },
};
