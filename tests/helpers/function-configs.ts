/** @module Stored function configurations built the way CreateFunction builds them, for tests of the store. */
import {
  configFromCreate,
  CreateFunctionInputSchema,
  type FunctionConfig,
  parseInput,
} from "../../lib/config/mod.ts";

/** The `$LATEST` configuration of a nodejs function `name` running the stored code `stored`. */
export function latestConfig(name: string, stored: Parameters<typeof configFromCreate>[1]): FunctionConfig {
  const input = parseInput(CreateFunctionInputSchema, {
    FunctionName: name,
    Runtime: "nodejs20.x",
    Role: "arn:aws:iam::000000000000:role/test",
    Handler: "index.handler",
    Code: { ZipFile: "" },
  });
  return configFromCreate(input, stored);
}
