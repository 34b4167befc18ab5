/** @module `lambdalet keys create|list|delete|rotate`: the agent's API keys and their scopes. */
import { defineCommand } from "citty";
import * as v from "valibot";
import { parseFlag } from "./flags.ts";
import { operationCommand } from "./operation-command.ts";

const keyId = { "access-key-id": { type: "string", description: "The key's id", required: true } } as const;

const FunctionList = v.pipe(
  v.string(),
  v.transform((value) => value.split(",").map((name) => name.trim()).filter(Boolean)),
);

/** The keys command. */
export const keysCommand = defineCommand({
  meta: { name: "keys", description: "API keys: who may call the agent, and what for" },
  subCommands: {
    create: operationCommand({
      name: "create",
      description: "Create a key (its secret is printed this once)",
      operation: "CreateKey",
      args: {
        scope: {
          type: "string",
          description: "admin (everything), invoke (Invoke of --functions) or metrics (GET /metrics only)",
          required: true,
        },
        functions: { type: "string", description: "For invoke keys: comma-separated function names, or *" },
        description: { type: "string", description: "A note for people" },
      },
      request: (args) => ({
        method: "POST",
        path: "/lambdalet/v1/keys",
        body: JSON.stringify({
          Scope: parseFlag(
            v.picklist(["admin", "invoke", "metrics"], "must be admin, invoke or metrics"),
            "scope",
            args.scope,
          ),
          ...(args.functions === undefined
            ? {}
            : { Functions: parseFlag(FunctionList, "functions", args.functions) }),
          ...(args.description === undefined ? {} : { Description: args.description }),
        }),
      }),
    }),
    list: operationCommand({
      name: "list",
      description: "List keys (without secrets)",
      operation: "ListKeys",
      args: {},
      request: () => ({ method: "GET", path: "/lambdalet/v1/keys" }),
    }),
    rotate: operationCommand({
      name: "rotate",
      description:
        "Give a key a new secret; the old one stops working at once (the credentials file follows)",
      operation: "RotateKey",
      args: keyId,
      request: (args) => ({
        method: "POST",
        path: `/lambdalet/v1/keys/${encodeURIComponent(args["access-key-id"])}/rotate`,
      }),
    }),
    delete: operationCommand({
      name: "delete",
      description: "Delete a key",
      operation: "DeleteKey",
      args: keyId,
      request: (args) => ({
        method: "DELETE",
        path: `/lambdalet/v1/keys/${encodeURIComponent(args["access-key-id"])}`,
      }),
    }),
  },
});
