/** @module PutFunctionConcurrency, GetFunctionConcurrency and DeleteFunctionConcurrency. */
import type { Handler } from "hono";
import * as v from "valibot";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { readInput, unqualifiedRefOf } from "./request.ts";
import { functionNotFound } from "./resolve.ts";

const PutConcurrencyInputSchema = v.object({
  ReservedConcurrentExecutions: v.pipe(
    v.number(),
    v.integer("Member must be a whole number"),
    v.minValue(0, "Member must have value greater than or equal to 0"),
    v.maxValue(1000, "Member must have value less than or equal to 1000"),
  ),
});

/** Builds the PutFunctionConcurrency handler: a cap on the function's concurrent invocations (0 throttles all). */
export function putConcurrencyHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const ref = unqualifiedRefOf(c);
    const input = await readInput(c, PutConcurrencyInputSchema);
    if (!deps.store.functions.setReservedConcurrency(ref.name, input.ReservedConcurrentExecutions)) {
      throw functionNotFound(deps, ref);
    }
    return c.json({ ReservedConcurrentExecutions: input.ReservedConcurrentExecutions });
  };
}

/** Builds the GetFunctionConcurrency handler. */
export function getConcurrencyHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const ref = unqualifiedRefOf(c);
    const reserved = deps.store.functions.getReservedConcurrency(ref.name);
    if (reserved === null) throw functionNotFound(deps, ref);
    return c.json(reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved });
  };
}

/** Builds the DeleteFunctionConcurrency handler. */
export function deleteConcurrencyHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const ref = unqualifiedRefOf(c);
    if (!deps.store.functions.setReservedConcurrency(ref.name, null)) throw functionNotFound(deps, ref);
    return c.body(null, 204);
  };
}
