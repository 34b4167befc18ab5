/** @module Schemas and types for everything lambdalet reads from outside, and function configuration. */
export * from "./function-config.ts";
export * from "./function-input.ts";
export * from "./edge-config.ts";
export * from "./parse.ts";
export * from "./validation-issues.ts";
export * from "./runtimes.ts";
export * from "./agent-options.ts";
export * from "./log-options.ts";
export * from "./token-exchange.ts";
export * from "./invoke-input.ts";
export * from "./control-plane-input.ts";
export * from "./layer-input.ts";
export * from "./deployment-document.ts";
export * from "./function-url-input.ts";
export * from "./mqtt-options.ts";
export * from "./fleet-options.ts";
export * from "./greengrass-component.ts";
export {
  GREENGRASS_LAMBDA_DEFAULTS,
  type GreengrassImportInput,
  GreengrassImportInputSchema,
  type LambdaFunctionRecipeSource,
  LambdaFunctionRecipeSourceSchema,
} from "./greengrass-schemas.ts";
