#!/usr/bin/env bun
/** @module The lambdalet command line: `serve` runs the agent; the other commands talk to it over HTTP. */
import { defineCommand, runMain } from "citty";
import { createFunctionCommand } from "./lib/cli/create-function.ts";
import { eventsCommand } from "./lib/cli/events.ts";
import { invokeCommand } from "./lib/cli/invoke.ts";
import { LAMBDA_COMMANDS } from "./lib/cli/lambda-commands.ts";
import { serveCommand } from "./lib/cli/serve.ts";
import { VERSION } from "./lib/version.ts";

const main = defineCommand({
  meta: {
    name: "lambdalet",
    version: VERSION,
    description: "Run AWS Lambda-style functions on edge devices",
  },
  subCommands: {
    serve: serveCommand,
    "create-function": createFunctionCommand,
    invoke: invokeCommand,
    ...LAMBDA_COMMANDS,
    events: eventsCommand,
  },
});

await runMain(main);
