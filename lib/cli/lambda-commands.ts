/** @module The control-plane commands, one per Lambda API operation, with the AWS CLI's names and flags. */
import type { CommandDef } from "citty";
import { parseJsonFlag, parseStringMap, readBlobArg } from "./arg-values.ts";
import { IntegerFlag, parseFlag } from "./flags.ts";
import { functionSettingsArgs, functionSettingsBody } from "./function-settings.ts";
import { operationCommand } from "./operation-command.ts";

const FUNCTIONS = "/2015-03-31/functions";
const functionName = {
  "function-name": { type: "string", required: true, description: "Name or ARN of the function" },
} as const;
const qualifier = { qualifier: { type: "string", description: "A version number or alias" } } as const;
const paging = {
  "max-items": { type: "string", description: "How many items to return (all pages when absent)" },
  "starting-token": { type: "string", description: "The NextMarker of an earlier call" },
} as const;
const revisionId = {
  "revision-id": { type: "string", description: "Only update if this is the current RevisionId" },
} as const;
const aliasName = { name: { type: "string", required: true, description: "The alias name" } } as const;

/** The path of a function, encoded. */
function fn(name: string, suffix = ""): string {
  return `${FUNCTIONS}/${encodeURIComponent(name)}${suffix}`;
}

/** A query string from the defined values. */
function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== "") params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function pagingQuery(
  args: { "max-items"?: string; "starting-token"?: string },
): Record<string, string | undefined> {
  const max = args["max-items"] === undefined
    ? undefined
    : String(parseFlag(IntegerFlag, "max-items", args["max-items"]));
  return { MaxItems: max, Marker: args["starting-token"] };
}

function jsonCall(method: string, path: string, body: Record<string, unknown>) {
  return { method, path, body: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
}

/** `--routing-config AdditionalVersionWeights={2=0.5}` or JSON, as numbers. */
function routingConfig(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  const weights = parseStringMap("routing-config", raw, "AdditionalVersionWeights");
  const numeric = Object.fromEntries(
    Object.entries(weights).map(([version, weight]) => [version, Number(weight)]),
  );
  return { RoutingConfig: { AdditionalVersionWeights: numeric } };
}

function defined(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

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

/** Every control-plane command by name. */
export const LAMBDA_COMMANDS: Record<string, CommandDef> = {
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
  "publish-version": operationCommand({
    name: "publish-version",
    description: "Publish $LATEST as a new immutable version",
    operation: "PublishVersion",
    args: {
      ...functionName,
      "code-sha256": { type: "string", description: "Only publish if $LATEST has this CodeSha256" },
      description: { type: "string", description: "The version's description" },
      ...revisionId,
    },
    request: (args) =>
      jsonCall(
        "POST",
        fn(args["function-name"], "/versions"),
        defined({
          CodeSha256: args["code-sha256"],
          Description: args.description,
          RevisionId: args["revision-id"],
        }),
      ),
  }),
  "list-versions-by-function": operationCommand({
    name: "list-versions-by-function",
    description: "List a function's versions",
    operation: "ListVersionsByFunction",
    args: { ...functionName, ...paging },
    listMember: "Versions",
    request: (args) => ({
      method: "GET",
      path: fn(args["function-name"], `/versions${query(pagingQuery(args))}`),
    }),
  }),
  "create-alias": operationCommand({
    name: "create-alias",
    description: "Create an alias for a version",
    operation: "CreateAlias",
    args: {
      ...functionName,
      ...aliasName,
      "function-version": { type: "string", required: true, description: "The version the alias points at" },
      description: { type: "string", description: "A description" },
      "routing-config": { type: "string", description: "AdditionalVersionWeights={N=0.1} or JSON" },
    },
    request: (args) =>
      jsonCall(
        "POST",
        fn(args["function-name"], "/aliases"),
        defined({
          Name: args.name,
          FunctionVersion: args["function-version"],
          Description: args.description,
          ...routingConfig(args["routing-config"]),
        }),
      ),
  }),
  "get-alias": operationCommand({
    name: "get-alias",
    description: "Show an alias",
    operation: "GetAlias",
    args: { ...functionName, ...aliasName },
    request: (args) => ({
      method: "GET",
      path: fn(args["function-name"], `/aliases/${encodeURIComponent(args.name)}`),
    }),
  }),
  "update-alias": operationCommand({
    name: "update-alias",
    description: "Point an alias at another version or change its routing",
    operation: "UpdateAlias",
    args: {
      ...functionName,
      ...aliasName,
      "function-version": { type: "string", description: "The version the alias points at" },
      description: { type: "string", description: "A description" },
      "routing-config": { type: "string", description: "AdditionalVersionWeights={N=0.1} or JSON" },
      ...revisionId,
    },
    request: (args) =>
      jsonCall(
        "PUT",
        fn(args["function-name"], `/aliases/${encodeURIComponent(args.name)}`),
        defined({
          FunctionVersion: args["function-version"],
          Description: args.description,
          RevisionId: args["revision-id"],
          ...routingConfig(args["routing-config"]),
        }),
      ),
  }),
  "delete-alias": operationCommand({
    name: "delete-alias",
    description: "Delete an alias",
    operation: "DeleteAlias",
    args: { ...functionName, ...aliasName },
    request: (args) => ({
      method: "DELETE",
      path: fn(args["function-name"], `/aliases/${encodeURIComponent(args.name)}`),
    }),
  }),
  "list-aliases": operationCommand({
    name: "list-aliases",
    description: "List a function's aliases",
    operation: "ListAliases",
    args: {
      ...functionName,
      "function-version": { type: "string", description: "Only aliases that route to this version" },
      ...paging,
    },
    listMember: "Aliases",
    request: (args) => ({
      method: "GET",
      path: fn(
        args["function-name"],
        `/aliases${query({ FunctionVersion: args["function-version"], ...pagingQuery(args) })}`,
      ),
    }),
  }),
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
  status: operationCommand({
    name: "status",
    description:
      "Show each function version's lifecycle, workers, queue, invocations, errors and cold starts",
    operation: "Status",
    args: {},
    request: () => ({ method: "GET", path: "/status" }),
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
  "get-account-settings": operationCommand({
    name: "get-account-settings",
    description: "Show this agent's limits and usage",
    operation: "GetAccountSettings",
    args: {},
    request: () => ({ method: "GET", path: "/2016-08-19/account-settings" }),
  }),
};
