/** @module `lambdalet create-function`: the flags of `aws lambda create-function`, plus the Edge settings. */
import { defineCommand } from "citty";
import { parseStringMap, readBlobArg } from "./arg-values.ts";
import { callApi, CliError, exitOnCliError, resolveEndpoint } from "./client.ts";
import { commonArgs, outputFormatOf } from "./common-args.ts";
import { functionSettingsArgs, functionSettingsBody } from "./function-settings.ts";
import { printResult } from "./output.ts";

/** The create-function command. */
export const createFunctionCommand = defineCommand({
  meta: {
    name: "create-function",
    description: "Create a function from a zip (flags of aws lambda create-function)",
  },
  args: {
    "function-name": { type: "string", required: true, description: "Name of the function" },
    "zip-file": { type: "string", required: true, description: "The code: fileb://PATH to a zip" },
    ...functionSettingsArgs,
    tags: { type: "string", description: "KEY=VALUE,... or JSON" },
    publish: { type: "boolean", description: "Publish version 1 at once" },
    ...commonArgs,
  },
  run: exitOnCliError(async ({ args }) => {
    const endpoint = resolveEndpoint(args["endpoint-url"]);
    const format = outputFormatOf(args.output);
    for (const flag of ["runtime", "handler"] as const) {
      if (args[flag] === undefined) {
        throw new CliError(`the following arguments are required: --${flag}`, 252);
      }
    }
    const body: Record<string, unknown> = {
      FunctionName: args["function-name"],
      Code: { ZipFile: Buffer.from(readBlobArg("zip-file", args["zip-file"])).toString("base64") },
      ...functionSettingsBody(args),
    };
    if (args.tags !== undefined) body.Tags = parseStringMap("tags", args.tags);
    if (args.publish !== undefined) body.Publish = args.publish;
    const response = await callApi(endpoint, {
      operation: "CreateFunction",
      method: "POST",
      path: "/2015-03-31/functions",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" },
    });
    printResult(await response.json(), format);
  }),
});
