/** @module The seed's sample events: valid JSON, realistic, and shaped by their flags. */
import { describe, expect, test } from "bun:test";
import { generateSample, SAMPLE_EVENTS, SampleEventError } from "../../lib/sample-events/mod.ts";

interface S3Event {
  Records: {
    eventName: string;
    s3: { bucket: { name: string; arn: string }; object: { key: string; size?: number } };
  }[];
}

describe("generateSample()", () => {
  test("generateSample() makes every event a JSON document that survives a round trip", () => {
    for (const [source, kinds] of Object.entries(SAMPLE_EVENTS)) {
      for (const kind of Object.keys(kinds)) {
        const event = generateSample(source, kind);
        expect(JSON.parse(JSON.stringify(event))).toEqual(event);
      }
    }
  });

  test("generateSample('s3', 'put') fills the fields the seed's handlers read from its flags", () => {
    const event = generateSample("s3", "put", { bucket: "photos", key: "cat.jpg", size: "2048" }) as S3Event;
    const record = event.Records[0]!;
    expect(record.eventName).toBe("ObjectCreated:Put");
    expect(record.s3.bucket).toMatchObject({ name: "photos", arn: "arn:aws:s3:::photos" });
    expect(record.s3.object).toMatchObject({ key: "cat.jpg", size: 2048 });
    const removed = generateSample("s3", "delete", { key: "gone.txt" }) as S3Event;
    expect(removed.Records[0]!.eventName).toBe("ObjectRemoved:Delete");
    expect(removed.Records[0]!.s3.object.size).toBeUndefined();
  });

  test("generateSample('dynamodb', 'update') has INSERT, MODIFY and REMOVE records", () => {
    const event = generateSample("dynamodb", "update", { message: "changed!" }) as {
      Records: { eventName: string; dynamodb: { NewImage?: { Message: { S: string } } } }[];
    };
    expect(event.Records.map((record) => record.eventName)).toEqual(["INSERT", "MODIFY", "REMOVE"]);
    expect(event.Records[1]!.dynamodb.NewImage?.Message.S).toBe("changed!");
  });

  test("generateSample('sns', 'notification') carries the message, subject and topic", () => {
    const event = generateSample("sns", "notification", {
      message: "m",
      subject: "s",
      "topic-arn": "arn:aws:sns:us-east-1:000000000000:t",
    }) as { Records: { Sns: { Message: string; Subject: string; TopicArn: string } }[] };
    expect(event.Records[0]!.Sns).toMatchObject({
      Message: "m",
      Subject: "s",
      TopicArn: "arn:aws:sns:us-east-1:000000000000:t",
    });
  });

  test("generateSample('cloudwatch', 'logs') holds real gzip + base64 data that decodes to log events", () => {
    const event = generateSample("cloudwatch", "logs", { message: "disk full" }) as {
      awslogs: { data: string };
    };
    const document = JSON.parse(
      new TextDecoder().decode(Bun.gunzipSync(Buffer.from(event.awslogs.data, "base64"))),
    ) as { messageType: string; logEvents: { message: string }[] };
    expect(document.messageType).toBe("DATA_MESSAGE");
    expect(document.logEvents[0]!.message).toBe("disk full");
  });

  test("generateSample('apigateway', 'proxy') builds the request from its flags", () => {
    const event = generateSample("apigateway", "proxy", {
      method: "post",
      path: "/orders",
      body: '{"id":1}',
      query: "a=1&a=2&b=3",
    }) as Record<string, unknown>;
    expect(event).toMatchObject({
      httpMethod: "POST",
      path: "/orders",
      body: '{"id":1}',
      queryStringParameters: { a: "2", b: "3" },
      multiValueQueryStringParameters: { a: ["1", "2"], b: ["3"] },
    });
  });

  test("generateSample() names what it accepts when given an unknown source, kind, flag or bad value", () => {
    expect(() => generateSample("kafka", "put")).toThrow("Unknown event source 'kafka': known sources are");
    expect(() => generateSample("s3", "copy")).toThrow(
      "Unknown s3 event 'copy': known kinds are put, delete",
    );
    expect(() => generateSample("s3", "put", { subject: "x" })).toThrow(SampleEventError);
    expect(() => generateSample("s3", "put", { size: "big" })).toThrow("--size must be a whole number");
  });
});
