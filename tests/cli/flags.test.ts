/** @module CLI flag values checked with valibot, failing as the AWS CLI does. */
import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { CliError } from "../../lib/cli/client.ts";
import { IntegerFlag, parseFlag } from "../../lib/cli/flags.ts";

/** The CLI error `run` throws. */
function errorOf(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("parseFlag()", () => {
  test("parseFlag() returns the parsed value", () => {
    expect(parseFlag(IntegerFlag, "timeout", "30")).toBe(30);
  });

  test("parseFlag() names the flag, the constraint and the value as typed, with exit code 252", () => {
    const error = errorOf(() => parseFlag(IntegerFlag, "timeout", "soon"));
    expect(error.message).toBe(
      `Error parsing parameter '--timeout': must be a whole number: current value is "soon"`,
    );
    expect(error.exitCode).toBe(252);
  });

  test("parseFlag() shows the text as typed even when a check after a transform fails", () => {
    const error = errorOf(() => parseFlag(v.pipe(IntegerFlag, v.maxValue(2, "must be ≤ 2")), "retries", "3"));
    expect(error.message).toBe(`Error parsing parameter '--retries': must be ≤ 2: current value is "3"`);
  });
});
