/** @module `lambdalet dead-letters list|replay|purge`: Event invocations that failed for good. */
import { defineCommand } from "citty";
import { operationCommand } from "./operation-command.ts";

const filter = {
  "function-name": { type: "string", description: "Only this function's dead letters" },
} as const;

function path(suffix: string, name: string | undefined): string {
  return `/lambdalet/v1/dead-letters${suffix}${name ? `?FunctionName=${encodeURIComponent(name)}` : ""}`;
}

/** The dead-letters command. */
export const deadLettersCommand = defineCommand({
  meta: { name: "dead-letters", description: "Event invocations that ran out of retries or age" },
  subCommands: {
    list: operationCommand({
      name: "list",
      description: "List dead letters, newest first",
      operation: "ListDeadLetters",
      args: filter,
      request: (args) => ({ method: "GET", path: path("", args["function-name"]) }),
    }),
    replay: operationCommand({
      name: "replay",
      description: "Queue dead letters again (same request ids)",
      operation: "ReplayDeadLetters",
      args: filter,
      request: (args) => ({ method: "POST", path: path("/replay", args["function-name"]) }),
    }),
    purge: operationCommand({
      name: "purge",
      description: "Delete dead letters",
      operation: "PurgeDeadLetters",
      args: filter,
      request: (args) => ({ method: "DELETE", path: path("", args["function-name"]) }),
    }),
  },
});
