/** @module Builds a client command for one Lambda API operation: flags in, one HTTP call, the answer printed. */
import { type ArgsDef, type CommandDef, defineCommand, type ParsedArgs } from "citty";
import { type ApiCall, callApi, exitOnCliError, resolveEndpoint } from "./client.ts";
import { commonArgs, outputFormatOf } from "./common-args.ts";
import { printResult } from "./output.ts";

/** What an operation command does. */
export interface OperationSpec<A extends ArgsDef> {
  /** The command name, as in the AWS CLI (`get-function`). */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** The API operation's name, for error messages (`GetFunction`). */
  operation: string;
  /** The command's own flags. */
  args: A;
  /** Builds the HTTP call from the flags. */
  request(args: ParsedArgs<A>): Omit<ApiCall, "operation">;
  /** For List operations: the member holding the items, so that every page is fetched and merged. */
  listMember?: string;
}

/** Builds the citty command for `spec`, with `--endpoint-url` and `--output`. */
export function operationCommand<A extends ArgsDef>(spec: OperationSpec<A>): CommandDef {
  const command = defineCommand({
    meta: { name: spec.name, description: spec.description },
    args: { ...spec.args, ...commonArgs },
    run: exitOnCliError(async ({ args }) => {
      const endpoint = resolveEndpoint(args["endpoint-url"]);
      const format = outputFormatOf(args.output);
      const call = { ...spec.request(args as ParsedArgs<A>), operation: spec.operation };
      const response = await callApi(endpoint, call);
      const text = await response.text();
      if (!text) return;
      const result = JSON.parse(text) as Record<string, unknown>;
      if (spec.listMember && !("max-items" in args && args["max-items"])) {
        await followPages(endpoint, call, spec.listMember, result);
      }
      printResult(result, format);
    }),
  });
  // citty types a command by its own flags; a table of commands holds them under the general type
  return command as unknown as CommandDef;
}

/** Fetches the pages after `first` and appends their items to it, as the AWS CLI paginates. */
async function followPages(endpoint: string, call: ApiCall, member: string, first: Record<string, unknown>) {
  let marker = first.NextMarker;
  const items = first[member] as unknown[];
  while (typeof marker === "string" && marker) {
    const separator = call.path.includes("?") ? "&" : "?";
    const page = await (await callApi(endpoint, {
      ...call,
      path: `${call.path}${separator}Marker=${encodeURIComponent(marker)}`,
    })).json() as Record<string, unknown>;
    items.push(...(page[member] as unknown[]));
    marker = page.NextMarker;
  }
  delete first.NextMarker;
}
