/** @module Layers: publish, read, list and delete layer versions; the `Layers` of functions resolved and checked. */
import { type CodeStore, MAX_UNZIPPED_BYTES } from "../code/mod.ts";
import {
  type FunctionConfig,
  type FunctionLayer,
  lambdaTimestamp,
  LAYER_ARN,
  LAYER_VERSION_ARN,
  type ListLayersQuery,
  type PublishLayerVersionInput,
} from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { LayerVersionRecord, Page } from "../store/mod.ts";
import { storeZip } from "./code-upload.ts";
import type { ControlPlaneDeps, PartDeps } from "./deps.ts";

/** How many layers a function may use, as on Lambda. */
export const MAX_FUNCTION_LAYERS = 5;

type NameDeps = Pick<ControlPlaneDeps, "region" | "accountId">;

/** A layer's ARN: `arn:aws:lambda:<region>:<account>:layer:<name>`. */
export function layerArn(deps: NameDeps, layerName: string): string {
  return `arn:aws:lambda:${deps.region}:${deps.accountId}:layer:${layerName}`;
}

/** A layer version's ARN: the layer's ARN and `:<version>`. */
export function layerVersionArn(deps: NameDeps, layerName: string, version: number): string {
  return `${layerArn(deps, layerName)}:${version}`;
}

/** Lambda's 404 for a layer or layer version that does not exist. */
function layerNotFound(): LambdaError {
  return new LambdaError("ResourceNotFoundException", "The resource you requested does not exist.");
}

/** The layer version `arn` names on this agent, or null when it names another region or account. */
function parseVersionArn(deps: NameDeps, arn: string): { name: string; version: number } | null {
  const match = LAYER_VERSION_ARN.exec(arn);
  if (!match || arn !== layerVersionArn(deps, match[1]!, Number(match[2]))) return null;
  return { name: match[1]!, version: Number(match[2]) };
}

/** Layer versions, as the Lambda control plane sees them (the API's `/2018-10-31/layers`). */
export class Layers {
  readonly #deps: PartDeps;

  constructor(deps: PartDeps) {
    this.#deps = deps;
  }

  /**
   * Stores the zip (validated, extracted read-only, content-addressed like function code) and publishes it as the
   * next version of the layer `nameOrArn`.
   */
  async publish(nameOrArn: string, input: PublishLayerVersionInput): Promise<LayerVersionRecord> {
    const deps = this.#deps;
    const name = this.#nameOf(nameOrArn, true);
    if (input.Content.ZipFile === undefined) {
      throw new LambdaError(
        "InvalidParameterValueException",
        "Please provide a source for layer content: Content.ZipFile",
      );
    }
    const lease = deps.code.lease();
    try {
      const stored = await storeZip(deps.code, input.Content.ZipFile, lease);
      return deps.store.layers.publish({
        layerName: name,
        codeSha256: stored.sha256,
        codeSize: stored.size,
        unzippedSize: await deps.code.unzippedSize(stored.sha256),
        description: input.Description,
        compatibleRuntimes: input.CompatibleRuntimes,
        compatibleArchitectures: input.CompatibleArchitectures,
        licenseInfo: input.LicenseInfo ?? null,
        createdDate: lambdaTimestamp(),
      });
    } finally {
      lease.release();
      deps.code.collectSoon();
    }
  }

  /** One layer version, or `ResourceNotFoundException`. */
  get(nameOrArn: string, version: number): LayerVersionRecord {
    const record = this.#deps.store.layers.get(this.#nameOf(nameOrArn), version);
    if (!record) throw layerNotFound();
    return record;
  }

  /** The layer version a layer version ARN names (GetLayerVersionByArn). */
  getByArn(arn: string): LayerVersionRecord {
    const ref = parseVersionArn(this.#deps, arn);
    const record = ref ? this.#deps.store.layers.get(ref.name, ref.version) : null;
    if (!record) throw layerNotFound();
    return record;
  }

  /** Each layer's newest version that suits the query's runtime and architecture, one page. */
  list(query: ListLayersQuery): Page<LayerVersionRecord> {
    return this.#deps.store.layers.listLatest(filterOf(query), query.Marker, query.MaxItems);
  }

  /** The versions of one layer that suit the query's runtime and architecture, newest first, one page. */
  versions(nameOrArn: string, query: ListLayersQuery): Page<LayerVersionRecord> {
    return this.#deps.store.layers.listVersions(
      this.#nameOf(nameOrArn),
      filterOf(query),
      query.Marker,
      query.MaxItems,
    );
  }

  /**
   * Deletes one layer version (nothing when there is none, as Lambda answers 204 either way). Functions that use it
   * keep working: its zip stays until no function version names it.
   */
  delete(nameOrArn: string, version: number): void {
    if (this.#deps.store.layers.delete(this.#nameOf(nameOrArn), version)) this.#deps.code.collectSoon();
  }

  /** The layer name of a path's `{LayerName}` (a name or this agent's layer ARN). */
  #nameOf(nameOrArn: string, publishing = false): string {
    const match = LAYER_ARN.exec(nameOrArn);
    if (!match) return nameOrArn;
    const name = match[1]!;
    if (nameOrArn === layerArn(this.#deps, name)) return name;
    if (!publishing) throw layerNotFound();
    throw new LambdaError(
      "InvalidParameterValueException",
      `The layer ARN ${nameOrArn} names another region or account than this agent's (${this.#deps.region}, ${this.#deps.accountId})`,
    );
  }
}

function filterOf(query: ListLayersQuery): { runtime?: string; architecture?: string } {
  return {
    ...(query.CompatibleRuntime === undefined ? {} : { runtime: query.CompatibleRuntime }),
    ...(query.CompatibleArchitecture === undefined ? {} : { architecture: query.CompatibleArchitecture }),
  };
}

/**
 * Resolves a function's `Layers` (layer version ARNs, in order) as Lambda does: at most 5, one version per layer,
 * each one that exists now; a layer version `current` already uses may stay after its deletion. Compatible runtimes
 * and architectures are not compared: on Lambda they only filter ListLayers and ListLayerVersions.
 */
export function resolveLayers(
  deps: Pick<ControlPlaneDeps, "store" | "region" | "accountId">,
  arns: readonly string[],
  current: readonly FunctionLayer[] = [],
): FunctionLayer[] {
  if (arns.length > MAX_FUNCTION_LAYERS) {
    throw new LambdaError("InvalidParameterValueException", "Cannot reference more than 5 layers.");
  }
  const seen = new Map<string, string>();
  return arns.map((arn) => {
    const ref = parseVersionArn(deps, arn);
    const layer = ref ? deps.store.layers.get(ref.name, ref.version) : null;
    const kept = current.find((item) => item.arn === arn);
    if (!ref || (!layer && !kept)) {
      throw new LambdaError("InvalidParameterValueException", `Layer version ${arn} does not exist.`);
    }
    const other = seen.get(ref.name);
    if (other !== undefined) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `A function may use one version of each layer: ${other} and ${arn} are versions of the same layer.`,
      );
    }
    seen.set(ref.name, arn);
    return layer
      ? { arn, sha256: layer.codeSha256, codeSize: layer.codeSize, unzippedSize: layer.unzippedSize }
      : kept!;
  });
}

/** Refuses a function whose code and layers unzip to more than Lambda's 250 MB, with Lambda's message. */
export function checkUnzippedTotal(functionBytes: number, layers: readonly FunctionLayer[]): void {
  const total = layers.reduce((sum, layer) => sum + layer.unzippedSize, functionBytes);
  if (total <= MAX_UNZIPPED_BYTES) return;
  throw new LambdaError(
    "InvalidParameterValueException",
    `Function code combined with layers exceeds the maximum allowed size of ${MAX_UNZIPPED_BYTES} bytes. The actual size is ${total} bytes.`,
  );
}

/**
 * The folder a function version's workers see at /opt: its layers merged in order, read-only (each layer extracted
 * again if it went missing); null without layers. Containers bind it at /opt; NoContainer workers get its real path
 * in their search paths. Other parts (an Extensions API looking for `/opt/extensions`) read the same folder.
 */
export async function layerTreeOf(code: CodeStore, config: FunctionConfig): Promise<string | null> {
  return await code.layerTree((config.layers ?? []).map((layer) => layer.sha256));
}
