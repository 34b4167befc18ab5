/** @module Arguments every client command takes. */
import * as v from "valibot";
import { parseFlag } from "./flags.ts";
import type { OutputFormat } from "./output.ts";

/** `--endpoint-url` and `--output`, as in the AWS CLI. */
export const commonArgs = {
  "endpoint-url": {
    type: "string",
    description:
      "The agent's URL (default: $AWS_ENDPOINT_URL_LAMBDA, $AWS_ENDPOINT_URL or http://127.0.0.1:9001)",
  },
  output: { type: "string", description: "json (default) or table" },
} as const;

/** Reads `--output`. */
export function outputFormatOf(value: string | undefined): OutputFormat {
  return parseFlag(
    v.optional(v.picklist(["json", "table"], "must be json or table"), "json"),
    "output",
    value,
  );
}
