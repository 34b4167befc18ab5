/** @module Validates CLI flag values with valibot, failing the way the AWS CLI does (exit 252). */
import * as v from "valibot";
import { formatIssues } from "../config/mod.ts";
import { CliError } from "./client.ts";

/** A flag holding a whole number, such as `--timeout 5`. */
export const IntegerFlag = v.pipe(
  v.string(),
  v.regex(/^-?\d+$/, "must be a whole number"),
  v.transform(Number),
);

/** Parses one flag value with `schema`, or throws a {@linkcode CliError} naming the flag. */
export function parseFlag<S extends v.GenericSchema>(
  schema: S,
  flag: string,
  value: unknown,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  throw new CliError(
    `Error parsing parameter '--${flag}': ${formatIssues(result.issues, { style: "setting", value })}`,
    252,
  );
}
