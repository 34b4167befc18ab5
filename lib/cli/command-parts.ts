/** @module Flags and request builders shared by the control-plane commands. */
import { parseStringMap } from "./arg-values.ts";
import { IntegerFlag, parseFlag } from "./flags.ts";

/** The functions collection of the Lambda API. */
export const FUNCTIONS = "/2015-03-31/functions";
/** `--function-name`. */
export const functionName = {
  "function-name": { type: "string", required: true, description: "Name or ARN of the function" },
} as const;
/** `--qualifier`. */
export const qualifier = { qualifier: { type: "string", description: "A version number or alias" } } as const;
/** `--max-items` and `--starting-token`. */
export const paging = {
  "max-items": { type: "string", description: "How many items to return (all pages when absent)" },
  "starting-token": { type: "string", description: "The NextMarker of an earlier call" },
} as const;
/** `--revision-id`. */
export const revisionId = {
  "revision-id": { type: "string", description: "Only update if this is the current RevisionId" },
} as const;
/** `--name` of an alias. */
export const aliasName = { name: { type: "string", required: true, description: "The alias name" } } as const;

/** The path of a function, encoded. */
export function fn(name: string, suffix = ""): string {
  return `${FUNCTIONS}/${encodeURIComponent(name)}${suffix}`;
}

/** A query string from the defined values. */
export function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== "") params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** `--max-items` and `--starting-token` as Lambda's MaxItems and Marker. */
export function pagingQuery(
  args: { "max-items"?: string; "starting-token"?: string },
): Record<string, string | undefined> {
  const max = args["max-items"] === undefined
    ? undefined
    : String(parseFlag(IntegerFlag, "max-items", args["max-items"]));
  return { MaxItems: max, Marker: args["starting-token"] };
}

/** An HTTP call with a JSON body. */
export function jsonCall(method: string, path: string, body: Record<string, unknown>) {
  return { method, path, body: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
}

/** `--routing-config AdditionalVersionWeights={2=0.5}` or JSON, as numbers. */
export function routingConfig(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  const weights = parseStringMap("routing-config", raw, "AdditionalVersionWeights");
  const numeric = Object.fromEntries(
    Object.entries(weights).map(([version, weight]) => [version, Number(weight)]),
  );
  return { RoutingConfig: { AdditionalVersionWeights: numeric } };
}

/** The members of `body` that are not undefined. */
export function defined(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}
