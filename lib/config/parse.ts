/** @module Turns valibot issues into the Lambda validation error that clients expect. */
import * as v from "valibot";
import { LambdaError, type LambdaErrorType } from "../errors/mod.ts";
import { formatIssues } from "./validation-issues.ts";

/** Options of {@linkcode parseInput}. */
export interface ParseInputOptions {
  /** The Lambda error name thrown on failure. @default "InvalidParameterValueException" */
  errorType?: LambdaErrorType;
}

/** Parses `input` with `schema`, throwing a Lambda validation error that names each failing member. */
export function parseInput<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  options: ParseInputOptions = {},
): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw new LambdaError(options.errorType ?? "InvalidParameterValueException", formatIssues(result.issues));
}
