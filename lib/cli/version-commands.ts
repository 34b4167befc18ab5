/** @module The version and alias commands. */
import type { CommandDef } from "citty";
import {
  aliasName,
  defined,
  fn,
  functionName,
  jsonCall,
  paging,
  pagingQuery,
  query,
  revisionId,
  routingConfig,
} from "./command-parts.ts";
import { operationCommand } from "./operation-command.ts";

/** The version and alias commands by name. */
export const VERSION_COMMANDS: Record<string, CommandDef> = {
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
};
