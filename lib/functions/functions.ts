/** @module Functions and their versions: create, read, update, publish, delete, reserved concurrency. */
import type * as v from "valibot";
import { type CodeStore, folderSize, hexToBase64 } from "../code/mod.ts";
import {
  applyCodeUpdate,
  applyConfigurationUpdate,
  configFromCreate,
  type CreateFunctionInput,
  type FunctionConfig,
  type HttpRoute,
  type PublishVersionInputSchema,
  type UpdateFunctionCodeInput,
  type UpdateFunctionConfigurationInput,
} from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { AdmissionStatus, PoolStatus, VersionStatus } from "../scheduler/mod.ts";
import {
  FunctionExistsError,
  LATEST,
  type Page,
  RevisionMismatchError,
  type VersionRow,
} from "../store/mod.ts";
import { functionArn, type FunctionRef } from "./arn.ts";
import { withStoredZip } from "./code-upload.ts";
import type { PartDeps } from "./deps.ts";
import { checkUnzippedTotal, resolveLayers } from "./layers.ts";
import { functionChanged } from "./pinned.ts";
import {
  functionNotFound,
  isVersionQualifier,
  requireFunction,
  type ResolvedVersion,
  resolveVersion,
} from "./resolve.ts";
import { checkRouteConflicts, latestConfigs } from "./route-conflicts.ts";
import { checkRunnable } from "./runnable-check.ts";

/** One `Edge.http` route of a function's `$LATEST`. */
export interface FunctionHttpRoute {
  /** The function serving it. */
  functionName: string;
  /** The route. */
  route: HttpRoute;
}

/** The body of PublishVersion. */
export type PublishVersionInput = v.InferOutput<typeof PublishVersionInputSchema>;

/** Functions and their versions, as the Lambda control plane sees them. */
export class Functions {
  readonly #deps: PartDeps;

  constructor(deps: PartDeps) {
    this.#deps = deps;
  }

  /** Creates a function from validated input (its zip stored first); publishes version 1 when asked. */
  async create(input: CreateFunctionInput): Promise<VersionRow> {
    const deps = this.#deps;
    if (deps.store.functions.exists(input.FunctionName)) {
      throw new FunctionExistsError(input.FunctionName); // before its zip is stored
    }
    const layers = resolveLayers(deps, input.Layers ?? []); // before its zip is stored
    const row = await withStoredZip(deps.code, input.Code.ZipFile, (stored) => {
      checkUnzippedTotal(folderSize(stored.dir), layers);
      const config = withLayers(configFromCreate(input, stored, deps.defaults), layers);
      checkRunnable(deps, config);
      checkRouteConflicts([config], latestConfigs(deps.store));
      deps.store.functions.create(config, input.Tags);
      return input.Publish
        ? deps.store.functions.publish(config.functionName, undefined, () => {})
        : { config, version: LATEST };
    });
    void functionChanged(deps, row.config.functionName);
    return row;
  }

  /** Replaces the code of `$LATEST` (or, with `DryRun`, shows what it would be); publishes when asked. */
  async updateCode(name: string, input: UpdateFunctionCodeInput): Promise<VersionRow> {
    const deps = this.#deps;
    requireFunction(deps, name);
    if (input.ZipFile === undefined) {
      throw new LambdaError(
        "InvalidParameterValueException",
        "Please provide a source for function code: ZipFile",
      );
    }
    if (input.DryRun) {
      // its code is collected once the answer is made, unless something uses it
      const preview = await withStoredZip(
        deps.code,
        input.ZipFile,
        (stored) => applyCodeUpdate(deps.store.functions.getVersion(name)!, stored),
      );
      return { config: preview, version: LATEST };
    }
    // once saved, the old code of `$LATEST` is collected unless something else uses it
    const row = await withStoredZip(deps.code, input.ZipFile, (stored) => {
      const config = deps.store.functions.updateLatest(
        name,
        (current) => {
          checkUnzippedTotal(folderSize(stored.dir), current.layers ?? []);
          return applyCodeUpdate(current, stored);
        },
        input.RevisionId,
      );
      return input.Publish
        ? deps.store.functions.publish(name, undefined, () => {})
        : { config, version: LATEST };
    });
    void functionChanged(deps, name, LATEST);
    return row;
  }

  /** Changes the configuration of `$LATEST`, refusing one this host cannot run (or too large with its `Layers`). */
  async updateConfiguration(name: string, input: UpdateFunctionConfigurationInput): Promise<FunctionConfig> {
    const deps = this.#deps;
    requireFunction(deps, name);
    const before = deps.store.functions.getVersion(name);
    const codeBytes = input.Layers && before ? await deps.code.unzippedSize(before.codeSha256) : 0;
    const config = deps.store.functions.updateLatest(
      name,
      (current) => {
        const layers = input.Layers ? resolveLayers(deps, input.Layers, current.layers) : undefined;
        if (layers) {
          const bytes = current.codeSha256 === before?.codeSha256
            ? codeBytes
            : codeSizeNow(deps.code, current);
          checkUnzippedTotal(bytes, layers);
        }
        const updated = applyConfigurationUpdate(current, input);
        const next = layers ? withLayers(updated, layers) : updated;
        checkRunnable(deps, next);
        checkRouteConflicts([next], latestConfigs(deps.store));
        return next;
      },
      input.RevisionId,
    );
    void functionChanged(deps, name, LATEST);
    return config;
  }

  /** Snapshots `$LATEST` (code and configuration) as the next version number. */
  publish(name: string, input: PublishVersionInput): VersionRow {
    const deps = this.#deps;
    requireFunction(deps, name);
    const published = deps.store.functions.publish(name, input.Description, (latest) => {
      if (input.RevisionId !== undefined && input.RevisionId !== latest.revisionId) {
        throw new RevisionMismatchError();
      }
      const current = hexToBase64(latest.codeSha256);
      if (input.CodeSha256 !== undefined && input.CodeSha256 !== current) {
        throw new LambdaError(
          "InvalidParameterValueException",
          `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`,
        );
      }
    });
    void functionChanged(deps, name, published.version);
    return published;
  }

  /** Deletes the whole function (no qualifier) or one published version, which no alias may route to. */
  delete(ref: FunctionRef): void {
    const deps = this.#deps;
    if (ref.qualifier === undefined) {
      if (!deps.store.functions.deleteFunction(ref.name)) throw functionNotFound(deps, ref);
    } else {
      this.#deleteVersion(ref.name, ref.qualifier);
    }
    void functionChanged(deps, ref.name, ref.qualifier);
    deps.code.collectSoon(); // code its running workers use goes once they exit
  }

  #deleteVersion(name: string, version: string): void {
    const deps = this.#deps;
    if (version === LATEST || !isVersionQualifier(version)) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `Deletion of aliases or $LATEST is not supported by DeleteFunction: Qualifier must be a version number`,
      );
    }
    requireFunction(deps, name);
    const aliases = deps.store.aliases.routingTo(name, version);
    if (aliases.length) {
      throw new LambdaError(
        "ResourceConflictException",
        `Unable to delete version because the following aliases reference it: [${
          aliases.map((alias) => functionArn(deps.region, deps.accountId, name, alias.name)).join(", ")
        }]`,
      );
    }
    if (!deps.store.functions.deleteVersion(name, version)) {
      throw functionNotFound(deps, { name, qualifier: version });
    }
  }

  /** The version `ref` names (an alias: its main version). */
  get(ref: FunctionRef): ResolvedVersion {
    return resolveVersion(this.#deps, ref);
  }

  /** A page of functions: `$LATEST` of each, or every version with `allVersions`. */
  list(marker: string | undefined, maxItems: number, allVersions: boolean): Page<VersionRow> {
    return this.#deps.store.functions.listFunctions(marker, maxItems, allVersions);
  }

  /** A page of the versions of `name`. */
  versions(name: string, marker: string | undefined, maxItems: number): Page<VersionRow> {
    requireFunction(this.#deps, name);
    return this.#deps.store.functions.listVersions(name, marker, maxItems);
  }

  /** The tags of `name`. */
  tags(name: string): Record<string, string> {
    return this.#deps.store.functions.getTags(name) ?? {};
  }

  /** The reserved concurrency of `name`, undefined when it has none. */
  reservedConcurrency(name: string): number | undefined {
    const reserved = this.#deps.store.functions.getReservedConcurrency(name);
    if (reserved === null) throw functionNotFound(this.#deps, { name });
    return reserved;
  }

  /** Caps the concurrent invocations of `name` over all its versions (0 throttles all), or removes the cap (null). */
  setReservedConcurrency(name: string, reserved: number | null): void {
    if (!this.#deps.store.functions.setReservedConcurrency(name, reserved)) {
      throw functionNotFound(this.#deps, { name });
    }
  }

  /** How many functions there are and the size of their code. */
  usage(): { functionCount: number; totalCodeSize: number } {
    return this.#deps.store.functions.usage();
  }

  /** What the workers of one version are doing, when it has any. */
  status(name: string, version: string): PoolStatus | undefined {
    return this.#deps.scheduler.statusOf(name, version);
  }

  /** What every version's workers are doing. */
  statusAll(): VersionStatus[] {
    return this.#deps.scheduler.status();
  }

  /** The workers' memory budget, what is spent of it, and the starts under way. */
  admission(): AdmissionStatus {
    return this.#deps.scheduler.admission();
  }

  /** Every `Edge.http` route of every function's `$LATEST`, by function name. */
  httpRoutes(): FunctionHttpRoute[] {
    return latestConfigs(this.#deps.store).flatMap((config) =>
      config.edge.http.map((route) => ({ functionName: config.functionName, route }))
    );
  }

  /** A stored code zip by its hex SHA-256, or null. */
  codeZip(sha256: string): Uint8Array | null {
    return this.#deps.store.code.get(sha256);
  }
}

/** `config` with `layers` (none: the member goes, as a function without layers has always been stored). */
function withLayers(config: FunctionConfig, layers: FunctionConfig["layers"] & object): FunctionConfig {
  const { layers: _old, ...rest } = config;
  return layers.length ? { ...rest, layers } : rest;
}

/** The unzipped size of a version's code, read from its extracted folder (code that changed during an update). */
function codeSizeNow(code: CodeStore, config: FunctionConfig): number {
  return folderSize(code.dirFor(config.codeSha256));
}
