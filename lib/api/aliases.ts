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
import { LambdaError } from "../errors/mod.ts";
import { AliasExistsError, LATEST } from "../store/mod.ts";
import { functionArn } from "./arn.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { renderAlias } from "./render.ts";
import { readInput, unqualifiedRefOf } from "./request.ts";
import { functionNotFound, requireFunction } from "./resolve.ts";

/** Checks that the main version and the weighted one exist and can be combined. */
function checkTargets(deps: ApiDeps, name: string, version: string, weights: Record<string, number>): void {
  if (!deps.store.functions.getVersion(name, version)) {
    throw functionNotFound(deps, { name, qualifier: version });
  }
  const extra = Object.keys(weights);
  if (extra.length && version === LATEST) {
    throw new LambdaError(
      "InvalidParameterValueException",
      "$LATEST is not supported for an alias pointing to more than 1 version",
    );
  }
  for (const other of extra) {
    if (other === version) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `Invalid function version ${other}. Function version ${other} is already included in routing configuration.`,
      );
    }
    if (!deps.store.functions.getVersion(name, other)) {
      throw functionNotFound(deps, { name, qualifier: other });
    }
  }
}

function aliasNameOf(c: Context<ApiEnv>): string {
  return parseInput(AliasNameSchema, c.req.param("alias"));
}

function aliasNotFound(deps: ApiDeps, name: string, alias: string): LambdaError {
  return new LambdaError(
    "ResourceNotFoundException",
    `Alias not found: ${functionArn(deps.region, deps.accountId, name, alias)}`,
  );
}

/** Builds the CreateAlias handler. */
export function createAliasHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const input = await readInput(c, CreateAliasInputSchema);
    requireFunction(deps, name);
    const weights = input.RoutingConfig?.AdditionalVersionWeights ?? {};
    checkTargets(deps, name, input.FunctionVersion, weights);
    try {
      const alias = deps.store.aliases.create({
        functionName: name,
        name: input.Name,
        functionVersion: input.FunctionVersion,
        description: input.Description,
        additionalVersionWeights: weights,
      });
      return c.json(renderAlias(alias, deps), 201);
    } catch (error) {
      if (!(error instanceof AliasExistsError)) throw error;
      throw new LambdaError(
        "ResourceConflictException",
        `Alias already exists: ${functionArn(deps.region, deps.accountId, name, input.Name)}`,
      );
    }
  };
}

/** Builds the GetAlias handler. */
export function getAliasHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const { name } = unqualifiedRefOf(c);
    const aliasName = aliasNameOf(c);
    requireFunction(deps, name);
    const alias = deps.store.aliases.get(name, aliasName);
    if (!alias) throw aliasNotFound(deps, name, aliasName);
    return c.json(renderAlias(alias, deps));
  };
}

/** Builds the UpdateAlias handler. */
export function updateAliasHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const { name } = unqualifiedRefOf(c);
    const aliasName = aliasNameOf(c);
    const input = await readInput(c, UpdateAliasInputSchema);
    requireFunction(deps, name);
    const alias = deps.store.aliases.update(name, aliasName, (current) => {
      const next = {
        ...current,
        functionVersion: input.FunctionVersion ?? current.functionVersion,
        description: input.Description ?? current.description,
        additionalVersionWeights: input.RoutingConfig
          ? input.RoutingConfig.AdditionalVersionWeights
          : current.additionalVersionWeights,
      };
      checkTargets(deps, name, next.functionVersion, next.additionalVersionWeights);
      return next;
    }, input.RevisionId);
    if (!alias) throw aliasNotFound(deps, name, aliasName);
    return c.json(renderAlias(alias, deps));
  };
}

/** Builds the DeleteAlias handler. */
export function deleteAliasHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const { name } = unqualifiedRefOf(c);
    const aliasName = aliasNameOf(c);
    requireFunction(deps, name);
    deps.store.aliases.delete(name, aliasName);
    return c.body(null, 204);
  };
}

const ListAliasesQuerySchema = v.object({
  ...PagingQuerySchema.entries,
  FunctionVersion: v.optional(VersionSchema),
});

/** Builds the ListAliases handler. */
export function listAliasesHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const { name } = unqualifiedRefOf(c);
    const query = parseInput(ListAliasesQuerySchema, c.req.query());
    requireFunction(deps, name);
    const page = deps.store.aliases.list(name, query.FunctionVersion, query.Marker, query.MaxItems);
    return c.json({
      Aliases: page.items.map((alias) => renderAlias(alias, deps)),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
}
