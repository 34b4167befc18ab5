/** @module `lambdalet events generate SOURCE KIND` and `lambdalet events list`: the seed's sample events. */
import { type ArgsDef, defineCommand } from "citty";
import { generateSample, SAMPLE_EVENTS, SampleEventError } from "../sample-events/mod.ts";
import { CliError, exitOnCliError } from "./client.ts";

const sampleFlags: ArgsDef = Object.fromEntries(
  [
    ...new Set(
      Object.values(SAMPLE_EVENTS).flatMap((kinds) =>
        Object.values(kinds).flatMap((e) => Object.keys(e.flags))
      ),
    ),
  ]
    .map((flag) => [flag, { type: "string", description: "See `lambdalet events list`" }]),
);

/** Generates a sample event, turning a bad source, kind or flag into a CLI error. */
export function sampleEvent(
  source: string,
  kind: string,
  options: Record<string, string | undefined> = {},
): unknown {
  try {
    return generateSample(source, kind, options);
  } catch (error) {
    if (error instanceof SampleEventError) throw new CliError(error.message, 252);
    throw error;
  }
}

const generateCommand = defineCommand({
  meta: {
    name: "generate",
    description: "Print a sample event as JSON (e.g. `events generate s3 put --key a.jpg`)",
  },
  args: {
    source: {
      type: "positional",
      required: true,
      description: "s3, dynamodb, sns, ses, cloudwatch, apigateway",
    },
    kind: {
      type: "positional",
      required: true,
      description: "put, delete, update, notification, receive, logs, proxy",
    },
    ...sampleFlags,
  },
  run: exitOnCliError(({ args }) => {
    const options: Record<string, string | undefined> = {};
    for (const flag of Object.keys(sampleFlags)) {
      const value = args[flag];
      if (typeof value === "string") options[flag] = value;
    }
    console.log(JSON.stringify(sampleEvent(args.source, args.kind, options), null, 2));
    return Promise.resolve();
  }),
});

const listCommand = defineCommand({
  meta: { name: "list", description: "List the sample events and their flags" },
  run() {
    for (const [source, kinds] of Object.entries(SAMPLE_EVENTS)) {
      for (const [kind, sample] of Object.entries(kinds)) {
        const flags = Object.entries(sample.flags).map(([flag, what]) => `--${flag} (${what})`).join(", ");
        console.log(`${source} ${kind}: ${sample.description}\n    ${flags}`);
      }
    }
  },
});

/** The events command. */
export const eventsCommand = defineCommand({
  meta: { name: "events", description: "Sample events of AWS services, to invoke functions with" },
  subCommands: { generate: generateCommand, list: listCommand },
});
