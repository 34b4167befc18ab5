/** @module CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases: `/2015-03-31/functions/{F}/aliases`. */
import type { Context, Handler } from "hono";
import * as v from "valibot";
import {
  AliasNameSchema,
  CreateAliasInputSchema,
  PagingQuerySchema,
  parseInput,
  UpdateAliasInputSchema,
  VersionSchema,
} from "../config/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { renderAlias } from "./render.ts";
import { readInput, unqualifiedRefOf } from "./request.ts";

type Deps = Pick<ApiDeps, "aliases" | "region" | "accountId">;

function aliasNameOf(c: Context<ApiEnv>): string {
  return parseInput(AliasNameSchema, c.req.param("alias"));
}

/** Builds the CreateAlias handler. */
export function createAliasHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const input = await readInput(c, CreateAliasInputSchema);
    return c.json(renderAlias(deps.aliases.create(name, input), deps), 201);
  };
}

/** Builds the GetAlias handler. */
export function getAliasHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    const { name } = unqualifiedRefOf(c);
    return c.json(renderAlias(deps.aliases.get(name, aliasNameOf(c)), deps));
  };
}

/** Builds the UpdateAlias handler. */
export function updateAliasHandler(deps: Deps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const alias = aliasNameOf(c);
    const input = await readInput(c, UpdateAliasInputSchema);
    return c.json(renderAlias(deps.aliases.update(name, alias, input), deps));
  };
}

/** Builds the DeleteAlias handler. */
export function deleteAliasHandler(deps: Pick<ApiDeps, "aliases">): Handler<ApiEnv> {
  return (c) => {
    const { name } = unqualifiedRefOf(c);
    deps.aliases.delete(name, aliasNameOf(c));
    return c.body(null, 204);
  };
}

const ListAliasesQuerySchema = v.object({
  ...PagingQuerySchema.entries,
  FunctionVersion: v.optional(VersionSchema),
});

/** Builds the ListAliases handler. */
export function listAliasesHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    const { name } = unqualifiedRefOf(c);
    const query = parseInput(ListAliasesQuerySchema, c.req.query());
    const page = deps.aliases.list(name, query.FunctionVersion, query.Marker, query.MaxItems);
    return c.json({
      Aliases: page.items.map((alias) => renderAlias(alias, deps)),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
}
