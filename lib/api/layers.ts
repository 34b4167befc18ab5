/** @module The layer operations: `/2018-10-31/layers[/{LayerName}/versions[/{VersionNumber}]]`. */
import type { Context, Handler } from "hono";
import * as v from "valibot";
import { hexToBase64 } from "../code/mod.ts";
import {
  LayerNameSchema,
  LayerVersionArnSchema,
  LayerVersionNumberSchema,
  ListLayersQuerySchema,
  parseInput,
  PublishLayerVersionInputSchema,
} from "../config/mod.ts";
import { layerArn, layerVersionArn } from "../functions/mod.ts";
import type { LayerVersionRecord } from "../store/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { CODE_DOWNLOAD_PATH, codeLocation } from "./get-function.ts";
import { readInput } from "./request.ts";

type Deps = Pick<ApiDeps, "layers" | "region" | "accountId">;

/** The `{LayerName}` of the path, validated. */
function layerNameOf(c: Context<ApiEnv>): string {
  return parseInput(v.object({ LayerName: LayerNameSchema }), { LayerName: c.req.param("layerName") ?? "" })
    .LayerName;
}

/** The `{VersionNumber}` of the path, validated. */
function versionOf(c: Context<ApiEnv>): number {
  return parseInput(v.object({ VersionNumber: LayerVersionNumberSchema }), {
    VersionNumber: c.req.param("version") ?? "",
  }).VersionNumber;
}

/** The members every answer about one layer version shares (ListLayerVersions' items). */
function renderListItem(deps: Deps, record: LayerVersionRecord): Record<string, unknown> {
  return {
    LayerVersionArn: layerVersionArn(deps, record.layerName, record.version),
    Version: record.version,
    Description: record.description,
    CreatedDate: record.createdDate,
    ...(record.compatibleRuntimes.length ? { CompatibleRuntimes: record.compatibleRuntimes } : {}),
    ...(record.compatibleArchitectures.length
      ? { CompatibleArchitectures: record.compatibleArchitectures }
      : {}),
    ...(record.licenseInfo === null ? {} : { LicenseInfo: record.licenseInfo }),
  };
}

/** A layer version as PublishLayerVersion and GetLayerVersion answer it, with a download link for its zip. */
async function renderLayerVersion(
  deps: Deps & Pick<ApiDeps, "keyring">,
  c: Context<ApiEnv>,
  record: LayerVersionRecord,
): Promise<Record<string, unknown>> {
  const origin = new URL(c.req.url).origin;
  const location = await codeLocation(
    deps,
    c.get("principal"),
    `${origin}${CODE_DOWNLOAD_PATH}/${record.codeSha256}.zip`,
  );
  return {
    Content: { Location: location, CodeSha256: hexToBase64(record.codeSha256), CodeSize: record.codeSize },
    LayerArn: layerArn(deps, record.layerName),
    ...renderListItem(deps, record),
  };
}

/** Builds the PublishLayerVersion handler (201). */
export function publishLayerVersionHandler(deps: Deps & Pick<ApiDeps, "keyring">): Handler<ApiEnv> {
  return async (c) => {
    const name = layerNameOf(c);
    const input = await readInput(c, PublishLayerVersionInputSchema);
    const record = await deps.layers.publish(name, input);
    return c.json(await renderLayerVersion(deps, c, record), 201);
  };
}

/** Builds the GetLayerVersion handler. */
export function getLayerVersionHandler(deps: Deps & Pick<ApiDeps, "keyring">): Handler<ApiEnv> {
  return async (c) =>
    c.json(await renderLayerVersion(deps, c, deps.layers.get(layerNameOf(c), versionOf(c))));
}

/** Builds the DeleteLayerVersion handler (204, also for a version that is not there, as Lambda). */
export function deleteLayerVersionHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    deps.layers.delete(layerNameOf(c), versionOf(c));
    return c.body(null, 204);
  };
}

/** Builds the ListLayerVersions handler. */
export function listLayerVersionsHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    const name = layerNameOf(c);
    const page = deps.layers.versions(name, parseInput(ListLayersQuerySchema, c.req.query()));
    return c.json({
      LayerVersions: page.items.map((record) => renderListItem(deps, record)),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
}

const ByArnQuerySchema = v.object({ find: v.literal("LayerVersion"), Arn: LayerVersionArnSchema });

/** Builds the handler of `GET /2018-10-31/layers`: ListLayers, or GetLayerVersionByArn with `?find=LayerVersion`. */
export function listLayersHandler(deps: Deps & Pick<ApiDeps, "keyring">): Handler<ApiEnv> {
  return async (c) => {
    const query = c.req.query();
    if (query.find !== undefined) {
      const { Arn } = parseInput(ByArnQuerySchema, query);
      return c.json(await renderLayerVersion(deps, c, deps.layers.getByArn(Arn)));
    }
    const page = deps.layers.list(parseInput(ListLayersQuerySchema, query));
    return c.json({
      Layers: page.items.map((record) => ({
        LayerName: record.layerName,
        LayerArn: layerArn(deps, record.layerName),
        LatestMatchingVersion: renderListItem(deps, record),
      })),
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  };
}
