/** @module `lambdalet event-sources list`: what triggers each function besides Invoke. */
import { defineCommand } from "citty";
import { operationCommand } from "./operation-command.ts";

/** The event-sources command. */
export const eventSourcesCommand = defineCommand({
  meta: {
    name: "event-sources",
    description: "Function URLs, API Gateway routes, topic subscriptions, schedules",
  },
  subCommands: {
    list: operationCommand({
      name: "list",
      description:
        "List every function's triggers (its URLs, routes, subscriptions, schedules and their next fire)",
      operation: "ListEventSources",
      args: { "function-name": { type: "string", description: "Only this function's" } },
      request: (args) => ({
        method: "GET",
        path: `/lambdalet/v1/event-sources${
          args["function-name"] ? `?FunctionName=${encodeURIComponent(args["function-name"])}` : ""
        }`,
      }),
    }),
  },
});
