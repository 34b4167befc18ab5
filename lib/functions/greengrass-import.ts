/** @module Greengrass v2 Lambda components imported as a function, a published version and an alias. */
import {
  type FunctionConfig,
  type GreengrassImport,
  type GreengrassImportInput,
  parseGreengrassComponent,
  parseInput,
  toCreateFunctionInput,
  UpdateFunctionCodeInputSchema,
  UpdateFunctionConfigurationInputSchema,
} from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { AliasRecord } from "../store/mod.ts";
import type { Aliases } from "./aliases.ts";
import { functionArn } from "./arn.ts";
import type { PartDeps } from "./deps.ts";
import type { Functions } from "./functions.ts";

/** What an import made: the function's new version and the alias naming the component version. */
export interface ImportedComponent {
  /** The mapping, with its warnings. */
  mapped: GreengrassImport;
  /** The published version. */
  version: string;
  /** Its configuration. */
  config: FunctionConfig;
  /** The alias, created or moved to the version. */
  alias: AliasRecord;
  /** Whether the function was created (rather than updated). */
  created: boolean;
}

/** A component mapped onto a CreateFunction body, and where its code is: uploaded, or stored already. */
export interface MappedComponent {
  /** The mapping; its `input.Code.ZipFile` is empty when the code is stored already. */
  mapped: GreengrassImport;
  /** The code: a base64 zip, or the SHA-256 of stored code (given, or that of the version `lambdaArn` names). */
  code: { ZipFile: string } | { Sha256: string };
}

/**
 * Maps an import's component onto a CreateFunction body, taking the runtime, handler and code that the input leaves
 * out from the function version `lambdaArn` names on this agent (`ResourceNotFoundException` when it is needed and
 * missing).
 */
export function mapGreengrassImport(
  deps: Pick<PartDeps, "store" | "region" | "accountId" | "defaults">,
  input: GreengrassImportInput,
): MappedComponent {
  const component = parseGreengrassComponent(input.greengrassComponent);
  const { name, version } = component.lambda;
  const needsLocal = input.Code === undefined || input.Runtime === undefined || input.Handler === undefined;
  const local = needsLocal ? deps.store.functions.getVersion(name, version) : null;
  if (needsLocal && !local) {
    const wanted = [
      input.Code === undefined ? "code (--zip-file)" : "",
      input.Runtime === undefined ? "--runtime" : "",
      input.Handler === undefined ? "--handler" : "",
    ].filter(Boolean).join(", ");
    throw new LambdaError(
      "ResourceNotFoundException",
      `Function not found: ${
        functionArn(deps.region, deps.accountId, name, version)
      }: the import takes what it does not give (${wanted}) from that function version on this agent`,
    );
  }
  const code = input.Code ?? { Sha256: local!.codeSha256 };
  if ("Sha256" in code && !deps.store.code.get(code.Sha256)) throw noStoredCode(code.Sha256);
  const mapped = toCreateFunctionInput(component, {
    runtime: input.Runtime ?? local?.runtime,
    handler: input.Handler ?? local?.handler,
    zipFile: "ZipFile" in code ? code.ZipFile : "",
    defaultContainerMode: deps.defaults.containerMode,
  });
  return { mapped, code };
}

function noStoredCode(sha256: string): LambdaError {
  return new LambdaError("InvalidParameterValueException", `No code is stored with SHA-256 ${sha256}`);
}

/** Imports Greengrass components: maps them, then creates or updates the function, publishes and aliases. */
export class GreengrassImports {
  readonly #deps: PartDeps;
  readonly #functions: Functions;
  readonly #aliases: Aliases;

  constructor(deps: PartDeps, functions: Functions, aliases: Aliases) {
    this.#deps = deps;
    this.#functions = functions;
    this.#aliases = aliases;
  }

  /** Imports a component: creates or updates the function's `$LATEST`, publishes it, and points the alias at it. */
  async import(input: GreengrassImportInput): Promise<ImportedComponent> {
    const { mapped, code } = mapGreengrassImport(this.#deps, input);
    const zipFile = "ZipFile" in code ? code.ZipFile : this.#storedZip(code.Sha256);
    const { functionName: name } = mapped;
    const create = { ...mapped.input, Code: { ZipFile: zipFile } };
    const created = !this.#deps.store.functions.exists(name);
    let published;
    if (created) {
      published = await this.#functions.create({ ...create, Publish: true });
    } else {
      await this.#functions.updateCode(
        name,
        parseInput(UpdateFunctionCodeInputSchema, { ZipFile: create.Code.ZipFile }),
      );
      await this.#functions.updateConfiguration(
        name,
        parseInput(UpdateFunctionConfigurationInputSchema, {
          Runtime: create.Runtime,
          Handler: create.Handler,
          Description: create.Description,
          Timeout: create.Timeout,
          Environment: create.Environment,
          Edge: create.Edge,
        }),
      );
      published = this.#functions.publish(name, {});
    }
    const description = `Greengrass component version ${mapped.componentVersion}`;
    const exists = this.#deps.store.aliases.get(name, mapped.aliasName);
    const alias = exists
      ? this.#aliases.update(name, mapped.aliasName, {
        FunctionVersion: published.version,
        Description: description,
        RoutingConfig: { AdditionalVersionWeights: {} },
      })
      : this.#aliases.create(name, {
        Name: mapped.aliasName,
        FunctionVersion: published.version,
        Description: description,
      });
    return { mapped, version: published.version, config: published.config, alias, created };
  }

  #storedZip(sha256: string): string {
    const zip = this.#deps.store.code.get(sha256);
    if (!zip) throw noStoredCode(sha256);
    return Buffer.from(zip).toString("base64");
  }
}
