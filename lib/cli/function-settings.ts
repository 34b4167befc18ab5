/** @module The configuration flags shared by create-function and update-function-configuration. */
import * as v from "valibot";
import { parseStringMap, readTextArg } from "./arg-values.ts";
import { CliError } from "./client.ts";
import { IntegerFlag, parseFlag } from "./flags.ts";

/** Flags that set a function's configuration, named as in the AWS CLI (plus the Edge ones). */
export const functionSettingsArgs = {
  role: { type: "string", description: "Execution role ARN (kept for compatibility)" },
  handler: { type: "string", description: "Handler, such as index.handler" },
  runtime: { type: "string", description: "Runtime id, such as nodejs20.x" },
  description: { type: "string", description: "A description" },
  timeout: { type: "string", description: "Seconds an invocation may run (default 3)" },
  "memory-size": { type: "string", description: "Memory in MB (default 128)" },
  environment: { type: "string", description: "Variables={KEY=VALUE,...} or JSON" },
  "ephemeral-storage": { type: "string", description: "Size=MB of /tmp (512-10240)" },
  edge: { type: "string", description: "Greengrass settings: JSON or file://PATH" },
  pinned: { type: "boolean", description: "Long-lived: one worker started with the agent (Edge.pinned)" },
  "container-mode": {
    type: "string",
    description: "GreengrassContainer or NoContainer (Edge.containerMode)",
  },
  layers: {
    type: "string",
    description: "Layer version ARNs, in order, comma- or space-separated ('' for none)",
  },
} as const;

/** The parsed values of {@linkcode functionSettingsArgs}. */
export interface FunctionSettingsFlags {
  role?: string;
  handler?: string;
  runtime?: string;
  description?: string;
  timeout?: string;
  "memory-size"?: string;
  environment?: string;
  "ephemeral-storage"?: string;
  edge?: string;
  pinned?: boolean;
  "container-mode"?: string;
  layers?: string;
}

/** Builds the Lambda JSON members that the given flags set; absent flags add nothing. */
export function functionSettingsBody(args: FunctionSettingsFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (args.role !== undefined) body.Role = args.role;
  if (args.handler !== undefined) body.Handler = args.handler;
  if (args.runtime !== undefined) body.Runtime = args.runtime;
  if (args.description !== undefined) body.Description = args.description;
  if (args.timeout !== undefined) body.Timeout = parseFlag(IntegerFlag, "timeout", args.timeout);
  if (args["memory-size"] !== undefined) {
    body.MemorySize = parseFlag(IntegerFlag, "memory-size", args["memory-size"]);
  }
  if (args.environment !== undefined) {
    body.Environment = { Variables: parseStringMap("environment", args.environment, "Variables") };
  }
  if (args["ephemeral-storage"] !== undefined) {
    const size = parseStringMap("ephemeral-storage", args["ephemeral-storage"]).Size;
    body.EphemeralStorage = { Size: parseFlag(IntegerFlag, "ephemeral-storage", size ?? "") };
  }
  if (args.layers !== undefined) body.Layers = args.layers.split(/[\s,]+/).filter(Boolean);
  const edge = edgeOf(args);
  if (edge) body.Edge = edge;
  return body;
}

function edgeOf(args: FunctionSettingsFlags): Record<string, unknown> | undefined {
  let edge: Record<string, unknown> | undefined;
  if (args.edge !== undefined) {
    try {
      edge = parseFlag(v.record(v.string(), v.unknown()), "edge", JSON.parse(readTextArg("edge", args.edge)));
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`Error parsing parameter '--edge': Invalid JSON: ${args.edge}`, 252);
    }
  }
  if (args.pinned !== undefined) edge = { ...edge, pinned: args.pinned };
  if (args["container-mode"] !== undefined) edge = { ...edge, containerMode: args["container-mode"] };
  return edge;
}
