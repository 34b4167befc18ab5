/** @module Asynchronous (Event) invocations. */
export { BackgroundRunner, type BackgroundRunnerOptions, type Invoker } from "./background-runner.ts";
