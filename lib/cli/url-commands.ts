/** @module The function URL commands, with the AWS CLI's names and flags (`--cors` as JSON). */
import type { CommandDef } from "citty";
import { parseJsonFlag } from "./arg-values.ts";
import { functionName, jsonCall, paging, pagingQuery, query } from "./command-parts.ts";
import { operationCommand } from "./operation-command.ts";

const urlQualifier = { qualifier: { type: "string", description: "An alias of the function" } } as const;

const settings = {
  "auth-type": {
    type: "string",
    description: "NONE (anyone) or AWS_IAM (SigV4 with a key that may invoke it)",
  },
  cors: {
    type: "string",
    description: 'JSON: {"AllowOrigins":[...],"AllowMethods":[...],"AllowHeaders":[...],"MaxAge":N,...}',
  },
  "invoke-mode": { type: "string", description: "BUFFERED (default) or RESPONSE_STREAM" },
} as const;

function urlPath(args: { "function-name": string; qualifier?: string }): string {
  return `/2021-10-31/functions/${encodeURIComponent(args["function-name"])}/url${
    query({ Qualifier: args.qualifier })
  }`;
}

function settingsBody(
  args: { "auth-type"?: string; cors?: string; "invoke-mode"?: string },
): Record<string, unknown> {
  return {
    ...(args["auth-type"] === undefined ? {} : { AuthType: args["auth-type"] }),
    ...(args.cors === undefined ? {} : { Cors: parseJsonFlag("cors", args.cors) }),
    ...(args["invoke-mode"] === undefined ? {} : { InvokeMode: args["invoke-mode"] }),
  };
}

/** The function URL commands by name. */
export const URL_COMMANDS: Record<string, CommandDef> = {
  "create-function-url-config": operationCommand({
    name: "create-function-url-config",
    description: "Give a function (or an alias) an HTTP endpoint on the agent",
    operation: "CreateFunctionUrlConfig",
    args: {
      ...functionName,
      ...urlQualifier,
      ...settings,
      "auth-type": { ...settings["auth-type"], required: true },
    },
    request: (args) => jsonCall("POST", urlPath(args), settingsBody(args)),
  }),
  "get-function-url-config": operationCommand({
    name: "get-function-url-config",
    description: "Show a function URL",
    operation: "GetFunctionUrlConfig",
    args: { ...functionName, ...urlQualifier },
    request: (args) => ({ method: "GET", path: urlPath(args) }),
  }),
  "update-function-url-config": operationCommand({
    name: "update-function-url-config",
    description: "Change a function URL's auth type, CORS or invoke mode (its address stays)",
    operation: "UpdateFunctionUrlConfig",
    args: { ...functionName, ...urlQualifier, ...settings },
    request: (args) => jsonCall("PUT", urlPath(args), settingsBody(args)),
  }),
  "delete-function-url-config": operationCommand({
    name: "delete-function-url-config",
    description: "Delete a function URL: its address stops answering at once",
    operation: "DeleteFunctionUrlConfig",
    args: { ...functionName, ...urlQualifier },
    request: (args) => ({ method: "DELETE", path: urlPath(args) }),
  }),
  "list-function-url-configs": operationCommand({
    name: "list-function-url-configs",
    description: "List a function's URLs",
    operation: "ListFunctionUrlConfigs",
    args: { ...functionName, ...paging },
    listMember: "FunctionUrlConfigs",
    request: (args) => ({
      method: "GET",
      path: `/2021-10-31/functions/${encodeURIComponent(args["function-name"])}/urls${
        query(pagingQuery(args))
      }`,
    }),
  }),
};
