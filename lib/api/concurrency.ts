/** @module PutFunctionConcurrency, GetFunctionConcurrency and DeleteFunctionConcurrency. */
import type { Handler } from "hono";
import * as v from "valibot";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { readInput, unqualifiedRefOf } from "./request.ts";

type Deps = Pick<ApiDeps, "functions">;

const PutConcurrencyInputSchema = v.object({
  ReservedConcurrentExecutions: v.pipe(
    v.number(),
    v.integer("Member must be a whole number"),
    v.minValue(0, "Member must have value greater than or equal to 0"),
    v.maxValue(1000, "Member must have value less than or equal to 1000"),
  ),
});

/** Builds the PutFunctionConcurrency handler: a cap on the function's concurrent invocations (0 throttles all). */
export function putConcurrencyHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const input = await readInput(c, PutConcurrencyInputSchema);
    deps.functions.setReservedConcurrency(name, input.ReservedConcurrentExecutions);
    return c.json({ ReservedConcurrentExecutions: input.ReservedConcurrentExecutions });
  };
}

/** Builds the GetFunctionConcurrency handler. */
export function getConcurrencyHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    const reserved = deps.functions.reservedConcurrency(unqualifiedRefOf(c).name);
    return c.json(reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved });
  };
}

/** Builds the DeleteFunctionConcurrency handler. */
export function deleteConcurrencyHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    deps.functions.setReservedConcurrency(unqualifiedRefOf(c).name, null);
    return c.body(null, 204);
  };
}
