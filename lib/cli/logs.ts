/** @module `lambdalet logs FUNCTION`: a function's stored log, shaped like `aws logs tail`, optionally followed. */
import { defineCommand } from "citty";
import * as v from "valibot";
import { parseRecord } from "../logs/mod.ts";
import { callApi, CliError, exitOnCliError, resolveEndpoint } from "./client.ts";
import { commonArgs } from "./common-args.ts";
import { parseFlag } from "./flags.ts";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since` as `aws logs tail` takes it: a duration back from now (`30s`, `10m`, `2h`, `1d`, `1w`) or an ISO time. */
export function sinceMs(value: string, now: number = Date.now()): number {
  const relative = /^(\d+)([smhdw])$/.exec(value);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  const absolute = Date.parse(value);
  if (Number.isFinite(absolute)) return absolute;
  throw new CliError(
    `Error parsing parameter '--since': must be a duration such as 10m, 2h or 1d, or an ISO 8601 time: current value is ${value}`,
    252,
  );
}

/** The logs command. */
export const logsCommand = defineCommand({
  meta: {
    name: "logs",
    description: "Print a function's stored log (as aws logs tail); --follow for new lines",
  },
  args: {
    function: { type: "positional", required: true, description: "The function's name" },
    follow: { type: "boolean", description: "Keep printing new lines as they are written" },
    since: { type: "string", description: "From this far back (10m, 2h, 1d) or this ISO time (default 10m)" },
    "request-id": { type: "string", description: "Only the lines of this invocation" },
    format: { type: "string", description: "short (default: time and message) or json (one record a line)" },
    ...commonArgs,
  },
  run: exitOnCliError(async ({ args }) => {
    const endpoint = resolveEndpoint(args["endpoint-url"]);
    const format = parseFlag(
      v.optional(v.picklist(["short", "json"], "must be short or json"), "short"),
      "format",
      args.format,
    );
    const query = new URLSearchParams({ since: String(sinceMs(args.since ?? "10m")) });
    if (args["request-id"]) query.set("requestId", args["request-id"]);
    if (args.follow) query.set("follow", "true");
    const response = await callApi(endpoint, {
      operation: "GetLogs",
      method: "GET",
      path: `/lambdalet/v1/functions/${encodeURIComponent(args.function)}/logs?${query}`,
    });
    if (!response.body) return;
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of response.body) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      const out: string[] = [];
      for (const line of lines) {
        const record = parseRecord(line);
        if (!record) continue;
        out.push(format === "json" ? JSON.stringify(record) : `${record.time} ${record.message}`);
      }
      if (out.length) process.stdout.write(out.join("\n") + "\n");
    }
  }),
});
