/** @module The concurrency and event invoke config commands. */
import type { CommandDef } from "citty";
import { parseJsonFlag } from "./arg-values.ts";
import { IntegerFlag, parseFlag } from "./flags.ts";
import { functionName, jsonCall, qualifier, query } from "./command-parts.ts";
import { operationCommand } from "./operation-command.ts";

const eventInvokeArgs = {
  ...functionName,
  ...qualifier,
  "maximum-retry-attempts": {
    type: "string",
    description: "Retries after a function error, 0-2 (default 2)",
  },
  "maximum-event-age-in-seconds": { type: "string", description: "Drop events older than this, 60-21600" },
  "destination-config": {
    type: "string",
    description: 'JSON: {"OnSuccess":{"Destination":ARN},"OnFailure":{"Destination":ARN}} (function ARNs)',
  },
} as const;

function eventInvokeBody(args: {
  "maximum-retry-attempts"?: string;
  "maximum-event-age-in-seconds"?: string;
  "destination-config"?: string;
}): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (args["maximum-retry-attempts"] !== undefined) {
    body.MaximumRetryAttempts = parseFlag(
      IntegerFlag,
      "maximum-retry-attempts",
      args["maximum-retry-attempts"],
    );
  }
  if (args["maximum-event-age-in-seconds"] !== undefined) {
    body.MaximumEventAgeInSeconds = parseFlag(
      IntegerFlag,
      "maximum-event-age-in-seconds",
      args["maximum-event-age-in-seconds"],
    );
  }
  if (args["destination-config"] !== undefined) {
    body.DestinationConfig = parseJsonFlag("destination-config", args["destination-config"]);
  }
  return body;
}

function eventInvokePath(args: { "function-name": string; qualifier?: string }): string {
  return `/2019-09-25/functions/${encodeURIComponent(args["function-name"])}/event-invoke-config${
    query({ Qualifier: args.qualifier })
  }`;
}

/** The concurrency and event invoke config commands by name. */
export const SETTING_COMMANDS: Record<string, CommandDef> = {
  "put-function-concurrency": operationCommand({
    name: "put-function-concurrency",
    description: "Reserve concurrency for a function: a cap on its concurrent invocations (0 throttles all)",
    operation: "PutFunctionConcurrency",
    args: {
      ...functionName,
      "reserved-concurrent-executions": { type: "string", required: true, description: "The cap" },
    },
    request: (args) =>
      jsonCall("PUT", `/2017-10-31/functions/${encodeURIComponent(args["function-name"])}/concurrency`, {
        ReservedConcurrentExecutions: parseFlag(
          IntegerFlag,
          "reserved-concurrent-executions",
          args["reserved-concurrent-executions"],
        ),
      }),
  }),
  "get-function-concurrency": operationCommand({
    name: "get-function-concurrency",
    description: "Show a function's reserved concurrency",
    operation: "GetFunctionConcurrency",
    args: { ...functionName },
    request: (args) => ({
      method: "GET",
      path: `/2019-09-30/functions/${encodeURIComponent(args["function-name"])}/concurrency`,
    }),
  }),
  "delete-function-concurrency": operationCommand({
    name: "delete-function-concurrency",
    description: "Remove a function's reserved concurrency",
    operation: "DeleteFunctionConcurrency",
    args: { ...functionName },
    request: (args) => ({
      method: "DELETE",
      path: `/2017-10-31/functions/${encodeURIComponent(args["function-name"])}/concurrency`,
    }),
  }),
  "put-function-event-invoke-config": operationCommand({
    name: "put-function-event-invoke-config",
    description: "Set how Event invocations are retried and where their outcomes go (replaces it all)",
    operation: "PutFunctionEventInvokeConfig",
    args: eventInvokeArgs,
    request: (args) => jsonCall("PUT", eventInvokePath(args), eventInvokeBody(args)),
  }),
  "update-function-event-invoke-config": operationCommand({
    name: "update-function-event-invoke-config",
    description: "Change some of the Event invocation settings",
    operation: "UpdateFunctionEventInvokeConfig",
    args: eventInvokeArgs,
    request: (args) => jsonCall("POST", eventInvokePath(args), eventInvokeBody(args)),
  }),
  "get-function-event-invoke-config": operationCommand({
    name: "get-function-event-invoke-config",
    description: "Show the Event invocation settings",
    operation: "GetFunctionEventInvokeConfig",
    args: { ...functionName, ...qualifier },
    request: (args) => ({ method: "GET", path: eventInvokePath(args) }),
  }),
  "delete-function-event-invoke-config": operationCommand({
    name: "delete-function-event-invoke-config",
    description: "Remove the Event invocation settings (back to 2 retries, 6 hours)",
    operation: "DeleteFunctionEventInvokeConfig",
    args: { ...functionName, ...qualifier },
    request: (args) => ({ method: "DELETE", path: eventInvokePath(args) }),
  }),
};
