/** @module The function commands: get, list, update, delete, status, account settings. */
import type { CommandDef } from "citty";
import { readBlobArg } from "./arg-values.ts";
import { functionSettingsArgs, functionSettingsBody } from "./function-settings.ts";
import {
  defined,
  fn,
  functionName,
  FUNCTIONS,
  jsonCall,
  paging,
  pagingQuery,
  qualifier,
  query,
  revisionId,
} from "./command-parts.ts";
import { operationCommand } from "./operation-command.ts";

/** The function commands by name. */
export const FUNCTION_COMMANDS: Record<string, CommandDef> = {
  "get-function": operationCommand({
    name: "get-function",
    description: "Show a function's configuration, code location and tags",
    operation: "GetFunction",
    args: { ...functionName, ...qualifier },
    request: (args) => ({
      method: "GET",
      path: fn(args["function-name"], query({ Qualifier: args.qualifier })),
    }),
  }),
  "get-function-configuration": operationCommand({
    name: "get-function-configuration",
    description: "Show a function version's configuration",
    operation: "GetFunctionConfiguration",
    args: { ...functionName, ...qualifier },
    request: (args) => ({
      method: "GET",
      path: fn(args["function-name"], `/configuration${query({ Qualifier: args.qualifier })}`),
    }),
  }),
  "list-functions": operationCommand({
    name: "list-functions",
    description: "List functions (every version with --function-version ALL)",
    operation: "ListFunctions",
    args: { "function-version": { type: "string", description: "ALL to list every version" }, ...paging },
    listMember: "Functions",
    request: (args) => ({
      method: "GET",
      path: `${FUNCTIONS}/${query({ FunctionVersion: args["function-version"], ...pagingQuery(args) })}`,
    }),
  }),
  "update-function-code": operationCommand({
    name: "update-function-code",
    description: "Replace the code of $LATEST with a zip",
    operation: "UpdateFunctionCode",
    args: {
      ...functionName,
      "zip-file": { type: "string", required: true, description: "The code: fileb://PATH to a zip" },
      publish: { type: "boolean", description: "Publish a version with the new code" },
      "dry-run": { type: "boolean", description: "Validate without changing anything" },
      ...revisionId,
    },
    request: (args) =>
      jsonCall(
        "PUT",
        fn(args["function-name"], "/code"),
        defined({
          ZipFile: Buffer.from(readBlobArg("zip-file", args["zip-file"])).toString("base64"),
          Publish: args.publish,
          DryRun: args["dry-run"],
          RevisionId: args["revision-id"],
        }),
      ),
  }),
  "update-function-configuration": operationCommand({
    name: "update-function-configuration",
    description: "Change the configuration of $LATEST",
    operation: "UpdateFunctionConfiguration",
    args: { ...functionName, ...functionSettingsArgs, ...revisionId },
    request: (args) =>
      jsonCall(
        "PUT",
        fn(args["function-name"], "/configuration"),
        defined({ ...functionSettingsBody(args), RevisionId: args["revision-id"] }),
      ),
  }),
  "delete-function": operationCommand({
    name: "delete-function",
    description: "Delete a function, or one version with --qualifier",
    operation: "DeleteFunction",
    args: { ...functionName, ...qualifier },
    request: (args) => ({
      method: "DELETE",
      path: fn(args["function-name"], query({ Qualifier: args.qualifier })),
    }),
  }),
  status: operationCommand({
    name: "status",
    description:
      "Show each function version's lifecycle, workers, queue, invocations, errors and cold starts",
    operation: "Status",
    args: {},
    request: () => ({ method: "GET", path: "/status" }),
  }),
  "get-account-settings": operationCommand({
    name: "get-account-settings",
    description: "Show this agent's limits and usage",
    operation: "GetAccountSettings",
    args: {},
    request: () => ({ method: "GET", path: "/2016-08-19/account-settings" }),
  }),
};
