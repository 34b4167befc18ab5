/** @module Aliases: names for a version, optionally routing a share of invocations to a second one. */
import type * as v from "valibot";
import type { CreateAliasInputSchema, UpdateAliasInputSchema } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { type AliasRecord, LATEST, type Page } from "../store/mod.ts";
import { functionArn } from "./arn.ts";
import type { ControlPlaneDeps, PartDeps } from "./deps.ts";
import { functionNotFound, requireFunction } from "./resolve.ts";

/** The body of CreateAlias. */
export type CreateAliasInput = v.InferOutput<typeof CreateAliasInputSchema>;
/** The body of UpdateAlias. */
export type UpdateAliasInput = v.InferOutput<typeof UpdateAliasInputSchema>;

type AliasDeps = Pick<ControlPlaneDeps, "store" | "region" | "accountId"> & Pick<PartDeps, "changes">;

/** The aliases of every function. */
export class Aliases {
  readonly #deps: AliasDeps;

  constructor(deps: AliasDeps) {
    this.#deps = deps;
  }

  /** Creates an alias of `name` (its versions must exist). */
  create(name: string, input: CreateAliasInput): AliasRecord {
    requireFunction(this.#deps, name);
    const weights = input.RoutingConfig?.AdditionalVersionWeights ?? {};
    this.#checkTargets(name, input.FunctionVersion, weights);
    return this.#deps.store.aliases.create({
      functionName: name,
      name: input.Name,
      functionVersion: input.FunctionVersion,
      description: input.Description,
      additionalVersionWeights: weights,
    });
  }

  /** One alias of `name`. */
  get(name: string, alias: string): AliasRecord {
    requireFunction(this.#deps, name);
    const found = this.#deps.store.aliases.get(name, alias);
    if (!found) throw this.#notFound(name, alias);
    return found;
  }

  /** Changes an alias's version, description or routing. */
  update(name: string, alias: string, input: UpdateAliasInput): AliasRecord {
    requireFunction(this.#deps, name);
    const updated = this.#deps.store.aliases.update(name, alias, (current) => {
      const next = {
        ...current,
        functionVersion: input.FunctionVersion ?? current.functionVersion,
        description: input.Description ?? current.description,
        additionalVersionWeights: input.RoutingConfig
          ? input.RoutingConfig.AdditionalVersionWeights
          : current.additionalVersionWeights,
      };
      this.#checkTargets(name, next.functionVersion, next.additionalVersionWeights);
      return next;
    }, input.RevisionId);
    if (!updated) throw this.#notFound(name, alias);
    this.#deps.changes.publish(name); // what follows an alias (its provisioned workers) moves with it
    return updated;
  }

  /** Deletes an alias, and its function URL (deleting one that does not exist is not an error, as on Lambda). */
  delete(name: string, alias: string): void {
    requireFunction(this.#deps, name);
    this.#deps.store.db.transaction(() => {
      this.#deps.store.aliases.delete(name, alias);
      this.#deps.store.functionUrls.delete(name, alias);
    })();
    this.#deps.changes.publish(name);
  }

  /** A page of the aliases of `name`, optionally only those routing to `version`. */
  list(
    name: string,
    version: string | undefined,
    marker: string | undefined,
    maxItems: number,
  ): Page<AliasRecord> {
    requireFunction(this.#deps, name);
    return this.#deps.store.aliases.list(name, version, marker, maxItems);
  }

  /** Checks that the main version and the weighted one exist and can be combined. */
  #checkTargets(name: string, version: string, weights: Record<string, number>): void {
    const deps = this.#deps;
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

  #notFound(name: string, alias: string): LambdaError {
    return new LambdaError(
      "ResourceNotFoundException",
      `Alias not found: ${functionArn(this.#deps.region, this.#deps.accountId, name, alias)}`,
    );
  }
}
