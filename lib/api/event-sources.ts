/** @module What triggers each function besides Invoke: its URLs, routes, topic subscriptions and schedules. */
import type { Context, Handler } from "hono";
import * as v from "valibot";
import { parseInput } from "../config/mod.ts";
import { functionUrlAddresses } from "../http-triggers/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";

type Deps = Pick<ApiDeps, "functionUrls" | "functions" | "topics" | "schedules" | "httpRoutes" | "region">;

/** The triggers of one function, as `/status` and `lambdalet event-sources list` show them. */
export interface FunctionEventSources {
  FunctionName: string;
  Urls: {
    Qualifier: string | null;
    FunctionUrl: string;
    EdgePathUrl: string;
    AuthType: string;
    InvokeMode: string;
  }[];
  Routes: { Method: string; Path: string; AuthType: string; Url: string }[];
  Subscriptions: { Topic: string; ReceiveMode: string }[];
  Schedules: { Expression: string; Timezone: string; NextFireAt: string | null; LastFireAt: string | null }[];
}

/** Every function that has a trigger, by name, with its triggers; addresses on the origin the client called. */
export function eventSources(deps: Deps, origin: string): FunctionEventSources[] {
  const byName = new Map<string, FunctionEventSources>();
  const entry = (name: string) => {
    let found = byName.get(name);
    if (!found) {
      found = { FunctionName: name, Urls: [], Routes: [], Subscriptions: [], Schedules: [] };
      byName.set(name, found);
    }
    return found;
  };
  for (const url of deps.functionUrls.all()) {
    const addresses = functionUrlAddresses(url.urlId, origin, deps.region);
    entry(url.functionName).Urls.push({
      Qualifier: url.qualifier || null,
      FunctionUrl: addresses.host,
      EdgePathUrl: addresses.path,
      AuthType: url.authType,
      InvokeMode: url.invokeMode,
    });
  }
  for (const { functionName, route } of deps.functions.httpRoutes()) {
    entry(functionName).Routes.push({
      Method: route.method,
      Path: route.path,
      AuthType: route.authType,
      Url: `${origin}${deps.httpRoutes.prefix}${route.path}`,
    });
  }
  for (const subscription of deps.topics.subscriptions()) {
    entry(subscription.functionName).Subscriptions.push({
      Topic: subscription.topic,
      ReceiveMode: subscription.receiveMode,
    });
  }
  for (const schedule of deps.schedules.status()) {
    entry(schedule.functionName).Schedules.push({
      Expression: schedule.expression,
      Timezone: schedule.timezone,
      NextFireAt: schedule.nextFireAt,
      LastFireAt: schedule.lastFireAt,
    });
  }
  return [...byName.values()].sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
}

const FilterSchema = v.object({
  FunctionName: v.optional(v.pipe(v.string(), v.regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be a function name"))),
});

/** The origin the client called the agent at. */
function originOf(c: Context<ApiEnv>): string {
  return new URL(c.req.url).origin;
}

/** Builds the handler of `GET /lambdalet/v1/event-sources[?FunctionName=F]`. */
export function listEventSourcesHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    const { FunctionName } = parseInput(FilterSchema, c.req.query());
    const all = eventSources(deps, originOf(c));
    return c.json({
      EventSources: FunctionName === undefined
        ? all
        : all.filter((item) => item.FunctionName === FunctionName),
    });
  };
}

/** Builds the handler of `/status`: workers, the Event queue, and every function's triggers. */
export function statusHandler(deps: Deps & Pick<ApiDeps, "invocations" | "iotCore">): Handler<ApiEnv> {
  return (c) =>
    c.json({
      functions: deps.functions.statusAll(),
      admission: deps.functions.admission(),
      events: { queued: deps.invocations.queued() },
      schedules: deps.schedules.status(),
      subscriptions: deps.topics.subscriptions(),
      eventSources: eventSources(deps, originOf(c)),
      mqtt: deps.iotCore?.status() ?? null,
    });
}
