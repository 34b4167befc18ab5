/** @module `lambdalet invoke`: the flags and output of `aws lambda invoke`. */
import { writeFileSync } from "node:fs";
import { defineCommand } from "citty";
import * as v from "valibot";
import { readBlobArg } from "./arg-values.ts";
import { callApi, CliError, exitOnCliError, resolveEndpoint } from "./client.ts";
import { commonArgs, outputFormatOf } from "./common-args.ts";
import { sampleEvent } from "./events.ts";
import { parseFlag } from "./flags.ts";
import { type OutputFormat, printResult } from "./output.ts";

/** The invoke command. */
export const invokeCommand = defineCommand({
  meta: {
    name: "invoke",
    description: "Invoke a function and write its response to OUTFILE (as aws lambda invoke)",
  },
  args: {
    "function-name": {
      type: "string",
      required: true,
      description: "Name, name:qualifier or ARN of the function",
    },
    payload: { type: "string", description: "The event: inline JSON, file://PATH or fileb://PATH" },
    qualifier: { type: "string", description: "Version or alias to invoke" },
    "invocation-type": { type: "string", description: "RequestResponse (default), Event or DryRun" },
    "log-type": { type: "string", description: "None (default) or Tail" },
    "client-context": { type: "string", description: "Base64 JSON client context" },
    event: {
      type: "string",
      description: "Send a sample event instead of --payload, e.g. s3:put (see events list)",
    },
    "cli-binary-format": {
      type: "string",
      description: "Accepted for AWS CLI compatibility; payloads are raw",
    },
    outfile: { type: "positional", required: true, description: "Where to write the response payload" },
    ...commonArgs,
  },
  run: exitOnCliError(async ({ args }) => {
    const endpoint = resolveEndpoint(args["endpoint-url"]);
    const format = outputFormatOf(args.output);
    const invocationType = parseFlag(
      v.optional(
        v.picklist(["RequestResponse", "Event", "DryRun"], "must be RequestResponse, Event or DryRun"),
      ),
      "invocation-type",
      args["invocation-type"],
    );
    const logType = parseFlag(
      v.optional(v.picklist(["None", "Tail"], "must be None or Tail")),
      "log-type",
      args["log-type"],
    );
    const headers: Record<string, string> = {};
    if (invocationType) headers["X-Amz-Invocation-Type"] = invocationType;
    if (logType) headers["X-Amz-Log-Type"] = logType;
    if (args["client-context"]) headers["X-Amz-Client-Context"] = args["client-context"];
    if (args.event !== undefined && args.payload !== undefined) {
      throw new CliError("--event and --payload cannot be used together", 252);
    }
    const [source = "", kind = ""] = (args.event ?? "").split(":");
    const body = args.event !== undefined
      ? new TextEncoder().encode(JSON.stringify(sampleEvent(source, kind)))
      : args.payload === undefined
      ? undefined
      : readBlobArg("payload", args.payload);
    const query = args.qualifier ? `?Qualifier=${encodeURIComponent(args.qualifier)}` : "";
    const response = await callApi(endpoint, {
      operation: "Invoke",
      method: "POST",
      path: `/2015-03-31/functions/${encodeURIComponent(args["function-name"])}/invocations${query}`,
      body,
      headers,
    });
    const answer = new Uint8Array(await response.arrayBuffer());
    printInvokeResult(args.outfile, answer, response.status, response.headers, format);
  }),
});

/**
 * Writes an invoke's answer to `outfile` and prints its status, function error, log tail (also decoded on stderr)
 * and executed version as `aws lambda invoke` does.
 */
export function printInvokeResult(
  outfile: string,
  answer: Uint8Array,
  status: number,
  headers: Headers,
  format: OutputFormat,
): void {
  try {
    writeFileSync(outfile, answer);
  } catch (error) {
    throw new CliError(`Could not write ${outfile}: ${error instanceof Error ? error.message : error}`, 255);
  }
  const meta: Record<string, unknown> = { StatusCode: status };
  const functionError = headers.get("x-amz-function-error");
  if (functionError) meta.FunctionError = functionError;
  const logResult = headers.get("x-amz-log-result");
  if (logResult) meta.LogResult = logResult;
  const executed = headers.get("x-amz-executed-version");
  if (executed) meta.ExecutedVersion = executed;
  printResult(meta, format);
  if (logResult) process.stderr.write(Buffer.from(logResult, "base64").toString("utf8"));
}
