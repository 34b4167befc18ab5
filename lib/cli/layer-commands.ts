/** @module The layer commands: publish, get, list and delete layer versions. */
import type { CommandDef } from "citty";
import { readBlobArg } from "./arg-values.ts";
import { defined, jsonCall, paging, pagingQuery, query } from "./command-parts.ts";
import { operationCommand } from "./operation-command.ts";

/** The layers collection of the Lambda API. */
const LAYERS = "/2018-10-31/layers";

const layerName = {
  "layer-name": { type: "string", required: true, description: "Name or ARN of the layer" },
} as const;
const versionNumber = {
  "version-number": { type: "string", required: true, description: "The layer version's number" },
} as const;
const filters = {
  "compatible-runtime": { type: "string", description: "Only versions that list this runtime id" },
  "compatible-architecture": { type: "string", description: "Only versions that list x86_64 or arm64" },
} as const;

/** The path of one layer's versions (with a version number when given), encoded. */
function versions(name: string, version?: string): string {
  return `${LAYERS}/${encodeURIComponent(name)}/versions${
    version === undefined ? "" : `/${encodeURIComponent(version)}`
  }`;
}

/** A list flag as the AWS CLI takes it (`a b` or `a,b`), for one string flag; undefined when absent. */
function listFlag(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(/[\s,]+/).filter(Boolean);
}

/** The layer commands by name. */
export const LAYER_COMMANDS: Record<string, CommandDef> = {
  "publish-layer-version": operationCommand({
    name: "publish-layer-version",
    description: "Publish a zip as the next version of a layer",
    operation: "PublishLayerVersion",
    args: {
      ...layerName,
      "zip-file": { type: "string", required: true, description: "The layer: fileb://PATH to a zip" },
      description: { type: "string", description: "The version's description" },
      "compatible-runtimes": { type: "string", description: "Runtime ids, comma- or space-separated" },
      "compatible-architectures": { type: "string", description: "x86_64 and/or arm64" },
      "license-info": { type: "string", description: "The layer's license" },
    },
    request: (args) =>
      jsonCall(
        "POST",
        versions(args["layer-name"]),
        defined({
          Content: { ZipFile: Buffer.from(readBlobArg("zip-file", args["zip-file"])).toString("base64") },
          Description: args.description,
          CompatibleRuntimes: listFlag(args["compatible-runtimes"]),
          CompatibleArchitectures: listFlag(args["compatible-architectures"]),
          LicenseInfo: args["license-info"],
        }),
      ),
  }),
  "get-layer-version": operationCommand({
    name: "get-layer-version",
    description: "Show a layer version, with a link to its zip",
    operation: "GetLayerVersion",
    args: { ...layerName, ...versionNumber },
    request: (args) => ({ method: "GET", path: versions(args["layer-name"], args["version-number"]) }),
  }),
  "get-layer-version-by-arn": operationCommand({
    name: "get-layer-version-by-arn",
    description: "Show a layer version named by its ARN",
    operation: "GetLayerVersionByArn",
    args: { arn: { type: "string", required: true, description: "The layer version's ARN" } },
    request: (args) => ({
      method: "GET",
      path: `${LAYERS}${query({ find: "LayerVersion", Arn: args.arn })}`,
    }),
  }),
  "list-layers": operationCommand({
    name: "list-layers",
    description: "List layers with their newest matching version",
    operation: "ListLayers",
    args: { ...filters, ...paging },
    listMember: "Layers",
    request: (args) => ({
      method: "GET",
      path: `${LAYERS}${
        query({
          CompatibleRuntime: args["compatible-runtime"],
          CompatibleArchitecture: args["compatible-architecture"],
          ...pagingQuery(args),
        })
      }`,
    }),
  }),
  "list-layer-versions": operationCommand({
    name: "list-layer-versions",
    description: "List a layer's versions, newest first",
    operation: "ListLayerVersions",
    args: { ...layerName, ...filters, ...paging },
    listMember: "LayerVersions",
    request: (args) => ({
      method: "GET",
      path: `${versions(args["layer-name"])}${
        query({
          CompatibleRuntime: args["compatible-runtime"],
          CompatibleArchitecture: args["compatible-architecture"],
          ...pagingQuery(args),
        })
      }`,
    }),
  }),
  "delete-layer-version": operationCommand({
    name: "delete-layer-version",
    description: "Delete a layer version (functions that use it keep it)",
    operation: "DeleteLayerVersion",
    args: { ...layerName, ...versionNumber },
    request: (args) => ({ method: "DELETE", path: versions(args["layer-name"], args["version-number"]) }),
  }),
};
