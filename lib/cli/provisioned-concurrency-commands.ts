/** @module The provisioned concurrency commands, with the AWS CLI's names and flags. */
import type { CommandDef } from "citty";
import { IntegerFlag, parseFlag } from "./flags.ts";
import { functionName, jsonCall, paging, pagingQuery, query } from "./command-parts.ts";
import { operationCommand } from "./operation-command.ts";

/** `--qualifier`, which these operations require. */
const requiredQualifier = {
  qualifier: { type: "string", required: true, description: "A published version number or an alias" },
} as const;

function provisionedPath(name: string, values: Record<string, string | undefined>): string {
  return `/2019-09-30/functions/${encodeURIComponent(name)}/provisioned-concurrency${query(values)}`;
}

/** The provisioned concurrency commands by name. */
export const PROVISIONED_CONCURRENCY_COMMANDS: Record<string, CommandDef> = {
  "put-provisioned-concurrency-config": operationCommand({
    name: "put-provisioned-concurrency-config",
    description: "Keep workers of a version or alias initialised ahead (IN_PROGRESS until they are READY)",
    operation: "PutProvisionedConcurrencyConfig",
    args: {
      ...functionName,
      ...requiredQualifier,
      "provisioned-concurrent-executions": {
        type: "string",
        required: true,
        description: "How many workers",
      },
    },
    request: (args) =>
      jsonCall("PUT", provisionedPath(args["function-name"], { Qualifier: args.qualifier }), {
        ProvisionedConcurrentExecutions: parseFlag(
          IntegerFlag,
          "provisioned-concurrent-executions",
          args["provisioned-concurrent-executions"],
        ),
      }),
  }),
  "get-provisioned-concurrency-config": operationCommand({
    name: "get-provisioned-concurrency-config",
    description: "Show a version's or alias's provisioned concurrency and its status",
    operation: "GetProvisionedConcurrencyConfig",
    args: { ...functionName, ...requiredQualifier },
    request: (args) => ({
      method: "GET",
      path: provisionedPath(args["function-name"], { Qualifier: args.qualifier }),
    }),
  }),
  "delete-provisioned-concurrency-config": operationCommand({
    name: "delete-provisioned-concurrency-config",
    description: "Remove a version's or alias's provisioned concurrency (its workers become on-demand ones)",
    operation: "DeleteProvisionedConcurrencyConfig",
    args: { ...functionName, ...requiredQualifier },
    request: (args) => ({
      method: "DELETE",
      path: provisionedPath(args["function-name"], { Qualifier: args.qualifier }),
    }),
  }),
  "list-provisioned-concurrency-configs": operationCommand({
    name: "list-provisioned-concurrency-configs",
    description: "List a function's provisioned concurrency configurations",
    operation: "ListProvisionedConcurrencyConfigs",
    args: { ...functionName, ...paging },
    listMember: "ProvisionedConcurrencyConfigs",
    request: (args) => ({
      method: "GET",
      path: provisionedPath(args["function-name"], { List: "ALL", ...pagingQuery(args) }),
    }),
  }),
};
