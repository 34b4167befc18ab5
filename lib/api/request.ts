/** @module Reading the parts of a request every handler needs: the function named in the path, the body. */
import type { Context } from "hono";
import type * as v from "valibot";
import { parseInput } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { type FunctionRef, parseFunctionRef } from "../functions/mod.ts";
import type { ApiEnv } from "./context.ts";

/** The function named by the `:name` path parameter, with `?Qualifier` applied. */
export function functionRefOf(c: Context<ApiEnv>): FunctionRef {
  return parseFunctionRef(c.req.param("name") ?? "", c.req.query("Qualifier"));
}

/** The function named by `:name`, refusing any qualifier (for operations on the function itself). */
export function unqualifiedRefOf(c: Context<ApiEnv>): FunctionRef {
  const ref = parseFunctionRef(c.req.param("name") ?? "");
  if (ref.qualifier !== undefined) {
    throw new LambdaError(
      "InvalidParameterValueException",
      "This operation does not accept a qualified function name",
    );
  }
  return ref;
}

/** Parses a JSON request body, answering `InvalidRequestContentException` when it is not JSON. */
export async function readJsonBody(c: Context<ApiEnv>): Promise<unknown> {
  const text = await c.req.text();
  return text.trim() === "" ? {} : parseJsonText(text);
}

/** Parses JSON text from a client, answering `InvalidRequestContentException` when it is not JSON. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LambdaError(
      "InvalidRequestContentException",
      `Could not parse request body into json: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Reads and validates a JSON body with `schema`. */
export async function readInput<S extends v.GenericSchema>(
  c: Context<ApiEnv>,
  schema: S,
): Promise<v.InferOutput<S>> {
  return parseInput(schema, await readJsonBody(c));
}

/** Percent-decodes one part of a request path, answering `InvalidParameterValueException` naming `what` when it is not valid. */
export function decodePathPart(part: string, what = "path part"): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new LambdaError(
      "InvalidParameterValueException",
      `The ${what} '${part}' is not valid percent-encoding`,
    );
  }
}
