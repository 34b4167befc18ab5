/** @module `lambdalet fleet status`: what each device reports, as a table or JSON. */
import { defineCommand } from "citty";
import * as v from "valibot";
import { openFleetStores } from "../fleet/deployer.ts";
import {
  DEFAULT_STALE_AFTER_MS,
  readStatuses,
  renderStatusTable,
  statusJson,
} from "../fleet/status-table.ts";
import { connectionArgs, parseDuration, parseFleetName } from "./fleet-args.ts";
import { fleetRun, withHub } from "./fleet-run.ts";
import { parseFlag } from "./flags.ts";
import { printResult } from "./output.ts";

/** `fleet status`. */
export const statusCommand = defineCommand({
  meta: { name: "status", description: "What each device reports: desired revisions, deployment, functions" },
  args: {
    group: { type: "string", description: "Only the devices of this group" },
    "stale-after": { type: "string", description: "Silent longer than this is STALE (default 90s)" },
    output: { type: "string", description: "table (default) or json" },
    ...connectionArgs,
  },
  run: fleetRun(async ({ args }) => {
    const group = args.group === undefined ? null : parseFleetName("group", args.group);
    const staleAfterMs = parseDuration(
      "stale-after",
      args["stale-after"] ?? `${DEFAULT_STALE_AFTER_MS / 1000}s`,
    );
    const output = parseFlag(
      v.optional(v.picklist(["table", "json"], "must be table or json"), "table"),
      "output",
      args.output,
    );
    await withHub(args, "lambdalet fleet status", async (nc) => {
      const stores = await openFleetStores(nc);
      const entries = await readStatuses(stores.status, { group, staleAfterMs });
      if (output === "json") printResult(statusJson(entries));
      else console.log(renderStatusTable(entries));
    });
  }),
});
