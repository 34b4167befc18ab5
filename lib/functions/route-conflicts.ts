/** @module Refuses an `Edge.http` route that another function already serves (one method and path, one function). */
import type { FunctionConfig, HttpRoute } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { LATEST, type Store } from "../store/mod.ts";

/** The `$LATEST` configuration of every stored function. */
export function latestConfigs(store: Pick<Store, "functions">): FunctionConfig[] {
  const names = new Set(store.functions.listAllVersions().map((config) => config.functionName));
  return [...names].flatMap((name) => store.functions.getVersion(name, LATEST) ?? []);
}

/** A route's identity: its method and path with parameter names left out (`/items/{id}` is `/items/{}`). */
export function routeKey(route: Pick<HttpRoute, "method" | "path">): string {
  return `${route.method} ${
    route.path.replace(/\{[A-Za-z0-9_]+\+\}/g, "{+}").replace(/\{[A-Za-z0-9_]+\}/g, "{}")
  }`;
}

/**
 * Throws `ResourceConflictException` when a route of one of `written` (the `$LATEST` configurations about to be
 * stored) is also claimed by another function of that state: another of `written`, or one of `kept` (the `$LATEST`
 * of every other function that stays), and `InvalidParameterValueException` when one function names a route twice.
 */
export function checkRouteConflicts(written: FunctionConfig[], kept: Iterable<FunctionConfig>): void {
  const owners = new Map<string, string>();
  const names = new Set(written.map((config) => config.functionName));
  for (const config of kept) {
    if (names.has(config.functionName)) continue;
    for (const route of config.edge.http) owners.set(routeKey(route), config.functionName);
  }
  for (const config of written) {
    const own = new Set<string>();
    config.edge.http.forEach((route, index) => {
      const key = routeKey(route);
      if (own.has(key)) {
        throw new LambdaError(
          "InvalidParameterValueException",
          `Edge.http[${index}]: ${route.method} ${route.path} repeats a route of the same function`,
        );
      }
      own.add(key);
      const owner = owners.get(key);
      if (owner !== undefined && owner !== config.functionName) {
        throw new LambdaError(
          "ResourceConflictException",
          `Edge.http[${index}]: the route ${route.method} ${route.path} is already served by the function ${owner}`,
        );
      }
    });
    for (const key of own) owners.set(key, config.functionName);
  }
}
