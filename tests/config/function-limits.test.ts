/** @module Lambda's quotas that protect a device, as CreateFunction and UpdateFunctionConfiguration check them. */
import { describe, expect, test } from "bun:test";
import {
  CreateFunctionInputSchema,
  DEFAULT_MAX_PROCESSES,
  EDGE_DEFAULTS,
  MAX_TAGS,
  parseInput,
  UpdateFunctionConfigurationInputSchema,
} from "../../lib/config/mod.ts";
import { LambdaError } from "../../lib/errors/mod.ts";

const BASE = { FunctionName: "f", Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: "" } };

/** The Lambda error `run` throws. */
function errorOf(run: () => unknown): LambdaError {
  try {
    run();
  } catch (error) {
    if (error instanceof LambdaError) return error;
    throw error;
  }
  throw new Error("nothing was thrown");
}

const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, "v"]));

describe("function limits", () => {
  test("CreateFunction takes 50 tags; 51 (or 100,000) are an InvalidParameterValueException", () => {
    expect(MAX_TAGS).toBe(50);
    expect(Object.keys(parseInput(CreateFunctionInputSchema, { ...BASE, Tags: tags(50) }).Tags).length).toBe(
      50,
    );
    for (const count of [51, 100_000]) {
      const error = errorOf(() => parseInput(CreateFunctionInputSchema, { ...BASE, Tags: tags(count) }));
      expect(error.type).toBe("InvalidParameterValueException");
      expect(error.message).toBe(
        "1 validation error detected: Value at 'Tags' failed to satisfy constraint: Member must have length less than or equal to 50",
      );
    }
  });

  test("tag values longer than 256 characters are refused, as Lambda does", () => {
    const error = errorOf(() =>
      parseInput(CreateFunctionInputSchema, { ...BASE, Tags: { team: "x".repeat(257) } })
    );
    expect(error.message).toContain("Member must have length less than or equal to 256");
  });

  test("environment variables may take 4 KB as JSON, not a byte more", () => {
    // {"A1":"..."} is 9 bytes around the value
    const fits = { A1: "x".repeat(4096 - 9) };
    expect(parseInput(UpdateFunctionConfigurationInputSchema, { Environment: { Variables: fits } }))
      .toBeDefined();
    const error = errorOf(() =>
      parseInput(UpdateFunctionConfigurationInputSchema, {
        Environment: { Variables: { A1: `${fits.A1}x` } },
      })
    );
    expect(error.message).toContain("exceeded the 4KB limit");
  });

  test("Edge.maxProcesses defaults to 1024 and takes 1 to 65536", () => {
    expect(EDGE_DEFAULTS.maxProcesses).toBe(DEFAULT_MAX_PROCESSES);
    expect(DEFAULT_MAX_PROCESSES).toBe(1024);
    const edge = (maxProcesses: number) => ({ ...BASE, Edge: { maxProcesses } });
    expect(parseInput(CreateFunctionInputSchema, edge(64)).Edge?.maxProcesses).toBe(64);
    for (const bad of [0, 65_537, 1.5]) {
      expect(errorOf(() => parseInput(CreateFunctionInputSchema, edge(bad))).message).toContain(
        "at 'Edge.maxProcesses'",
      );
    }
  });
});
