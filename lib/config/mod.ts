/** @module Schemas and types for everything lambdalet reads from outside, and function configuration. */
export * from "./function-config.ts";
export * from "./create-function-input.ts";
export * from "./parse.ts";
export * from "./runtimes.ts";
export * from "./agent-options.ts";
export * from "./invoke-input.ts";
