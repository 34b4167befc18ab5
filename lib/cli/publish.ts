/** @module `lambdalet publish --topic T --payload JSON|--payload-file F`: a message to a local topic's subscribers. */
import { readFileSync } from "node:fs";
import { CliError } from "./client.ts";
import { operationCommand } from "./operation-command.ts";

/** The path of a publish to `topic`: each level percent-encoded, the slashes between them kept. */
export function publishPath(topic: string): string {
  return `/topics/${topic.split("/").map((level) => encodeURIComponent(level)).join("/")}`;
}

function messageOf(payload: string | undefined, file: string | undefined): string | Uint8Array {
  if ((payload === undefined) === (file === undefined)) {
    throw new CliError("Give exactly one of --payload and --payload-file", 252);
  }
  if (payload !== undefined) return payload;
  try {
    return new Uint8Array(readFileSync(file!));
  } catch (error) {
    throw new CliError(
      `Error parsing parameter '--payload-file': ${error instanceof Error ? error.message : String(error)}`,
      252,
    );
  }
}

/** The publish command. */
export const publishCommand = operationCommand({
  name: "publish",
  description: "Publish a message to a local topic: every subscribed function gets it as a queued Event",
  operation: "Publish",
  args: {
    topic: {
      type: "string",
      required: true,
      description: "The topic name, such as sensors/kitchen/temperature",
    },
    payload: { type: "string", description: "The message, as text (JSON for JSON subscribers)" },
    "payload-file": { type: "string", description: "A file whose bytes are the message" },
  },
  request: (args) => ({
    method: "POST",
    path: publishPath(args.topic),
    body: messageOf(args.payload, args["payload-file"]),
  }),
});
