/**
 * @module Put/Get/Delete/ListProvisionedConcurrencyConfigs: `/2019-09-30/functions/{F}/provisioned-concurrency`
 * (`?List=ALL` lists).
 */
import type { Context, Handler } from "hono";
import * as v from "valibot";
import { maxItemsSchema, parseInput } from "../config/mod.ts";
import { functionArn, type FunctionRef, type ProvisionedConcurrencyState } from "../functions/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { functionRefOf, readInput, unqualifiedRefOf } from "./request.ts";

type Deps = Pick<ApiDeps, "provisionedConcurrency" | "region" | "accountId">;

const PutInputSchema = v.object({
  ProvisionedConcurrentExecutions: v.pipe(
    v.number("Member must not be null"),
    v.integer("Member must be a whole number"),
    v.minValue(1, "Member must have value greater than or equal to 1"),
  ),
});

const QualifierSchema = v.optional(
  v.pipe(
    v.string(),
    v.minLength(1, "Member must have length greater than or equal to 1"),
    v.maxLength(128, "Member must have length less than or equal to 128"),
    v.regex(/^[a-zA-Z0-9$_-]+$/, "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)"),
  ),
);

const ListQuerySchema = v.object({
  MaxItems: maxItemsSchema(50),
  Marker: v.optional(v.string()),
});

/** The version or alias named by the path and `?Qualifier`, the qualifier checked against Lambda's pattern. */
function refOf(c: Context<ApiEnv>): FunctionRef {
  parseInput(v.object({ Qualifier: QualifierSchema }), { Qualifier: c.req.query("Qualifier") });
  return functionRefOf(c);
}

/** The members of Get's answer (and Put's, and each of List's items without `FunctionArn`). */
function render(state: ProvisionedConcurrencyState) {
  return {
    RequestedProvisionedConcurrentExecutions: state.requested,
    AvailableProvisionedConcurrentExecutions: state.ready,
    AllocatedProvisionedConcurrentExecutions: state.ready,
    Status: state.status,
    ...(state.statusReason === undefined ? {} : { StatusReason: state.statusReason }),
    LastModified: state.lastModified,
  };
}

/** Builds the PutProvisionedConcurrencyConfig handler: 202, `IN_PROGRESS` until the workers are ready. */
export function putProvisionedConcurrencyHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const ref = refOf(c);
    const input = await readInput(c, PutInputSchema);
    return c.json(render(deps.provisionedConcurrency.put(ref, input.ProvisionedConcurrentExecutions)), 202);
  };
}

/** Builds the handler of `GET …/provisioned-concurrency`: ListProvisionedConcurrencyConfigs with `List=ALL`, else Get. */
export function getProvisionedConcurrencyHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    if (c.req.query("List") === undefined) return c.json(render(deps.provisionedConcurrency.get(refOf(c))));
    const { name } = unqualifiedRefOf(c);
    const query = parseInput(ListQuerySchema, {
      MaxItems: c.req.query("MaxItems"),
      Marker: c.req.query("Marker"),
    });
    const page = deps.provisionedConcurrency.list(name, query.Marker, query.MaxItems);
    return c.json({
      ProvisionedConcurrencyConfigs: page.items.map((state) => ({
        FunctionArn: functionArn(deps.region, deps.accountId, name, state.qualifier),
        ...render(state),
      })),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
}

/** Builds the DeleteProvisionedConcurrencyConfig handler. */
export function deleteProvisionedConcurrencyHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    deps.provisionedConcurrency.delete(refOf(c));
    return c.body(null, 204);
  };
}
