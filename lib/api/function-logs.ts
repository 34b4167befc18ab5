/** @module `GET /lambdalet/v1/functions/{name}/logs`: a function's stored log, and its new lines as they come. */
import type { Handler } from "hono";
import * as v from "valibot";
import { parseInput } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { parseFunctionRef } from "../functions/mod.ts";
import {
  type FunctionLogs,
  type LogFilter,
  type LogRecord,
  recordStreamResponse,
  TooManyFollowersError,
} from "../logs/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";

const QuerySchema = v.object({
  since: v.optional(v.pipe(
    v.string(),
    v.transform((text) => (/^\d+$/.test(text) ? Number(text) : Date.parse(text))),
    v.check((ms) => Number.isFinite(ms), "must be milliseconds since the epoch or an ISO 8601 time"),
  )),
  requestId: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/, "must be a request id"))),
  follow: v.optional(v.picklist(["true", "false"], "must be true or false")),
});

/**
 * Builds the handler of a function's stored log: the lines since `since` (of one invocation with `requestId`),
 * oldest first; with `follow=true`, then every new line until the caller goes. One JSON record a line
 * (`application/x-ndjson`), or Server-Sent Events (`data: <record>`) when the caller accepts `text/event-stream`.
 * Admin keys only (the auth middleware refuses the rest): a log may hold any invocation's payload.
 */
export function functionLogsHandler(
  deps: Pick<ApiDeps, "functions"> & { logs: FunctionLogs },
): Handler<ApiEnv> {
  return (c) => {
    const ref = parseFunctionRef(c.req.param("name") ?? "");
    const query = parseInput(QuerySchema, c.req.query());
    // a deleted function's log stays until the caps drop it, as a log group outlives its function
    if (deps.logs.bytesOf(ref.name) === 0) deps.functions.get({ name: ref.name });
    const filter: LogFilter = {
      ...(query.since === undefined ? {} : { sinceMs: query.since }),
      ...(query.requestId === undefined ? {} : { requestId: query.requestId }),
    };
    const follow = query.follow === "true";
    const stop = new AbortController();
    c.req.raw.signal.addEventListener("abort", () => stop.abort(), { once: true });
    let records: AsyncGenerator<LogRecord[]>;
    try {
      records = deps.logs.tail(ref.name, filter, follow ? { signal: stop.signal } : null);
    } catch (error) {
      if (!(error instanceof TooManyFollowersError)) throw error;
      throw new LambdaError("TooManyRequestsException", error.message, { headers: { "Retry-After": "10" } });
    }
    const sse = (c.req.header("accept") ?? "").includes("text/event-stream");
    return recordStreamResponse(records, { format: sse ? "sse" : "ndjson", stop, follow });
  };
}
