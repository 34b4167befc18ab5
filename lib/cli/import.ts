/** @module `lambdalet import greengrass FILE`: a Greengrass v2 Lambda component as a function, version and alias. */
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { callApi, CliError, exitOnCliError, resolveEndpoint } from "./client.ts";
import { commonArgs, outputFormatOf } from "./common-args.ts";
import { printResult } from "./output.ts";

/** Reads a file the command names, or fails with the AWS CLI's exit code for a bad parameter. */
function readArgFile(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliError(`Cannot read ${what} ${path}: ${error instanceof Error ? error.message : error}`, 252);
  }
}

/**
 * Reads a component file: the JSON of a `CreateComponentVersion` request (with `lambdaFunction`) or of its
 * `lambdaFunction` member (YAML is read too).
 */
export function readComponentFile(path: string): unknown {
  const text = readArgFile("the component", path).toString("utf8");
  try {
    return Bun.YAML.parse(text);
  } catch (error) {
    throw new CliError(
      `Cannot read the component ${path}: ${error instanceof Error ? error.message : error}`,
      252,
    );
  }
}

const greengrassCommand = defineCommand({
  meta: {
    name: "greengrass",
    description:
      "Import a Greengrass v2 Lambda component (CreateComponentVersion JSON, or its lambdaFunction member)",
  },
  args: {
    file: { type: "positional", required: true, description: "The component's JSON file" },
    "zip-file": {
      type: "string",
      description: "The code: fileb://PATH or PATH to a zip (default: the code of lambdaArn's version here)",
    },
    runtime: { type: "string", description: "Runtime id (default: that of lambdaArn's function here)" },
    handler: { type: "string", description: "Handler (default: that of lambdaArn's function here)" },
    ...commonArgs,
  },
  run: exitOnCliError(async ({ args }) => {
    const endpoint = resolveEndpoint(args["endpoint-url"]);
    const format = outputFormatOf(args.output);
    const body: Record<string, unknown> = { greengrassComponent: readComponentFile(args.file) };
    if (args.runtime !== undefined) body.Runtime = args.runtime;
    if (args.handler !== undefined) body.Handler = args.handler;
    const zip = args["zip-file"];
    if (zip !== undefined) {
      const path = zip.replace(/^fileb?:\/\//, "");
      body.Code = { ZipFile: readArgFile("--zip-file", path).toString("base64") };
    }
    const response = await callApi(endpoint, {
      operation: "ImportGreengrassComponent",
      method: "POST",
      path: "/lambdalet/v1/import/greengrass",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" },
    });
    const result = await response.json() as { Warnings?: string[] };
    for (const warning of result.Warnings ?? []) console.error(`Warning: ${warning}`);
    printResult(result, format);
  }),
});

/** The import command: `lambdalet import greengrass FILE`. */
export const importCommand = defineCommand({
  meta: { name: "import", description: "Import functions from elsewhere" },
  subCommands: { greengrass: greengrassCommand },
});
