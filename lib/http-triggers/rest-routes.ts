/** @module The API Gateway REST routes of every function (`Edge.http`), and which one a request's method and path name. */
import type { HttpRoute } from "../config/mod.ts";
import type { ChangeFeed, FunctionHttpRoute, Functions } from "../functions/mod.ts";

/** A segment of a resource path: literal text, a `{name}` parameter, or a last `{name+}` taking the rest. */
type Segment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string }
  | { kind: "greedy"; name: string };

/** How specific a segment is: a literal beats a parameter, which beats a greedy one (lower wins). */
const RANK = { literal: 0, param: 1, greedy: 2 } as const;

interface CompiledRoute extends FunctionHttpRoute {
  segments: Segment[];
}

/** The route a request names. */
export interface RouteMatch {
  /** The function serving it. */
  functionName: string;
  /** The route as the function declared it (`resource` is its path). */
  route: HttpRoute;
  /** The values of its parameters, percent-decoded; null when it has none. */
  pathParameters: Record<string, string> | null;
}

/** The segments of a resource path template such as `/items/{id}` or `/{proxy+}`. */
export function templateSegments(path: string): Segment[] {
  return path.split("/").slice(1).filter((text) => text !== "").map((text): Segment => {
    const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(text);
    if (greedy) return { kind: "greedy", name: greedy[1]! };
    const param = /^\{([A-Za-z0-9_]+)\}$/.exec(text);
    return param ? { kind: "param", name: param[1]! } : { kind: "literal", text };
  });
}

/** The segments of a request path, still percent-encoded: `/` is none; one trailing `/` is ignored. */
function requestSegments(path: string): string[] {
  if (path === "/" || path === "") return [];
  return path.replace(/\/$/, "").split("/").slice(1);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a malformed escape reaches the function as it was sent
  }
}

/** The parameters `segments` take from `path`, or null when the template does not match it. */
function matchSegments(segments: Segment[], path: string[]): Record<string, string> | null {
  const parameters: Record<string, string> = {};
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (segment.kind === "greedy") {
      const rest = path.slice(index);
      if (!rest.length || rest.every((part) => part === "")) return null; // one or more segments
      parameters[segment.name] = decode(rest.join("/"));
      return parameters;
    }
    const part = path[index];
    if (part === undefined || part === "") return null;
    if (segment.kind === "literal") {
      if (decode(part) !== segment.text) return null;
    } else {
      parameters[segment.name] = decode(part);
    }
  }
  return segments.length === path.length ? parameters : null;
}

/** Negative when `a` is more specific than `b`: segment by segment, literal over `{param}` over `{proxy+}`. */
function compareSpecificity(a: Segment[], b: Segment[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const left = a[index];
    const right = b[index];
    if (!left || !right) return left ? -1 : 1; // the same ranks so far: the longer one names more
    const difference = RANK[left.kind] - RANK[right.kind];
    if (difference) return difference;
  }
  return 0;
}

/**
 * Picks the route of `method` and `path` among `routes` as API Gateway does: the most specific resource (literal
 * segments over `{param}` over `{proxy+}`, compared from the left) that has the method or `ANY`, then the exact
 * method over `ANY`; among equals, the first.
 */
export function pickRoute(
  routes: readonly FunctionHttpRoute[],
  method: string,
  path: string,
): RouteMatch | null {
  return pickCompiled(routes.map(compile), method, path);
}

function compile(item: FunctionHttpRoute): CompiledRoute {
  return { ...item, segments: templateSegments(item.route.path) };
}

function pickCompiled(routes: readonly CompiledRoute[], method: string, path: string): RouteMatch | null {
  const parts = requestSegments(path);
  let best: { candidate: CompiledRoute; parameters: Record<string, string> } | null = null;
  for (const candidate of routes) {
    const { route, segments } = candidate;
    if (route.method !== "ANY" && route.method !== method) continue;
    const parameters = matchSegments(segments, parts);
    if (!parameters) continue;
    if (best) {
      const order = compareSpecificity(segments, best.candidate.segments) ||
        Number(route.method === "ANY") - Number(best.candidate.route.method === "ANY");
      if (order >= 0) continue;
    }
    best = { candidate, parameters };
  }
  if (!best) return null;
  return {
    functionName: best.candidate.functionName,
    route: best.candidate.route,
    pathParameters: Object.keys(best.parameters).length ? best.parameters : null,
  };
}

/** What the route table reads: the routes of every function, and the feed that says when they may have changed. */
export interface RestRoutesDeps {
  /** Every function's `$LATEST` routes. */
  functions: Pick<Functions, "httpRoutes">;
  /** Function changes. */
  changes: Pick<ChangeFeed, "subscribe">;
}

/** Every function's routes, read again after any change to a function. */
export class RestRoutes {
  readonly #deps: RestRoutesDeps;
  #routes: CompiledRoute[] | null = null;

  constructor(deps: RestRoutesDeps) {
    this.#deps = deps;
    deps.changes.subscribe(() => {
      this.#routes = null;
    });
  }

  /** The route `method` and `path` (the request path below any prefix, percent-encoded) name, or null. */
  match(method: string, path: string): RouteMatch | null {
    // sorted by function name: while a deployment removes a function, the same route may have two owners
    this.#routes ??= this.#deps.functions.httpRoutes()
      .sort((a, b) => a.functionName < b.functionName ? -1 : a.functionName > b.functionName ? 1 : 0)
      .map(compile);
    return pickCompiled(this.#routes, method, path);
  }
}
