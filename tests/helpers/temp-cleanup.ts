/** @module Preloaded by `bun test` (bunfig.toml): the temporary folders the tests made go when the whole run ends. */
import { afterAll } from "bun:test";
import { removeTempDirs } from "./agent-process.ts";

afterAll(removeTempDirs);
