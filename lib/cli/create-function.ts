/** @module `lambdalet create-function`: the flags of `aws lambda create-function`. */
import { defineCommand } from "citty";
import { parseStringMap, readBlobArg } from "./arg-values.ts";
import { callApi, exitOnCliError, printJson, resolveEndpoint } from "./client.ts";
import { endpointArg } from "./common-args.ts";
import { IntegerFlag, parseFlag } from "./flags.ts";

/** The create-function command. */
export const createFunctionCommand = defineCommand({
  meta: {
    name: "create-function",
    description: "Create a function from a zip (flags of aws lambda create-function)",
  },
  args: {
    "function-name": { type: "string", required: true, description: "Name of the function" },
    runtime: { type: "string", required: true, description: "Runtime id, such as nodejs20.x" },
    role: { type: "string", description: "Execution role ARN (kept for compatibility)" },
    handler: { type: "string", required: true, description: "Handler, such as index.handler" },
    "zip-file": { type: "string", required: true, description: "The code: fileb://PATH to a zip" },
    description: { type: "string", description: "A description" },
    timeout: { type: "string", description: "Seconds an invocation may run (default 3)" },
    "memory-size": { type: "string", description: "Memory in MB (default 128)" },
    environment: { type: "string", description: "Variables={KEY=VALUE,...} or JSON" },
    tags: { type: "string", description: "KEY=VALUE,... or JSON" },
    ...endpointArg,
  },
  run: exitOnCliError(async ({ args }) => {
    const endpoint = resolveEndpoint(args["endpoint-url"]);
    const body: Record<string, unknown> = {
      FunctionName: args["function-name"],
      Runtime: args.runtime,
      Handler: args.handler,
      Code: { ZipFile: Buffer.from(readBlobArg("zip-file", args["zip-file"])).toString("base64") },
    };
    if (args.role !== undefined) body.Role = args.role;
    if (args.description !== undefined) body.Description = args.description;
    if (args.timeout !== undefined) body.Timeout = parseFlag(IntegerFlag, "timeout", args.timeout);
    if (args["memory-size"] !== undefined) {
      body.MemorySize = parseFlag(IntegerFlag, "memory-size", args["memory-size"]);
    }
    if (args.environment !== undefined) {
      body.Environment = { Variables: parseStringMap("environment", args.environment, "Variables") };
    }
    if (args.tags !== undefined) body.Tags = parseStringMap("tags", args.tags);
    const response = await callApi(endpoint, {
      operation: "CreateFunction",
      method: "POST",
      path: "/2015-03-31/functions",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" },
    });
    printJson(await response.json());
  }),
});
