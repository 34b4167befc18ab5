/** @module S3 notifications: an object was created (put) or removed (delete). */
import {
  type SampleContext,
  type SampleEvent,
  type SampleOptions,
  wholeNumberOption,
} from "./sample-event.ts";

function record(
  eventName: string,
  options: SampleOptions,
  context: SampleContext,
  object: Record<string, unknown>,
) {
  const bucket = options.bucket ?? "example-bucket";
  return {
    Records: [{
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: context.region,
      eventTime: context.now.toISOString(),
      eventName,
      userIdentity: { principalId: "AWS:AIDAEXAMPLEUSER" },
      requestParameters: { sourceIPAddress: "198.51.100.7" },
      responseElements: {
        "x-amz-request-id": "C3D13FE58DE4C810",
        "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
      },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "lambdalet-sample",
        bucket: {
          name: bucket,
          ownerIdentity: { principalId: "A3NL1KOZZKExample" },
          arn: `arn:aws:s3:::${bucket}`,
        },
        object: { key: options.key ?? "photos/HappyFace.jpg", sequencer: "0055AED6DCD90281E5", ...object },
      },
    }],
  };
}

/** `s3 put`: ObjectCreated:Put. */
export const s3Put: SampleEvent = {
  description: "An object was created in a bucket (ObjectCreated:Put)",
  flags: { bucket: "Bucket name", key: "Object key", size: "Object size in bytes" },
  generate: (options, context) =>
    record("ObjectCreated:Put", options, context, {
      size: wholeNumberOption(options, "size", 1024),
      eTag: "d41d8cd98f00b204e9800998ecf8427e",
    }),
};

/** `s3 delete`: ObjectRemoved:Delete. */
export const s3Delete: SampleEvent = {
  description: "An object was removed from a bucket (ObjectRemoved:Delete)",
  flags: { bucket: "Bucket name", key: "Object key" },
  generate: (options, context) => record("ObjectRemoved:Delete", options, context, {}),
};
