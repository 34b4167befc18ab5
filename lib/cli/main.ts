/** @module The lambdalet command line: `serve` runs the agent; the other commands talk to it over HTTP. */
import { defineCommand, runMain } from "citty";
import { createFunctionCommand } from "./create-function.ts";
import { credentialsCommand } from "./credentials.ts";
import { deadLettersCommand } from "./dead-letters.ts";
import { deployCommand, deploymentsCommand } from "./deploy.ts";
import { doctorCommand } from "./doctor.ts";
import { eventsCommand } from "./events.ts";
import { eventSourcesCommand } from "./event-sources.ts";
import { importCommand } from "./import.ts";
import { invokeCommand } from "./invoke.ts";
import { keysCommand } from "./keys.ts";
import { logsCommand } from "./logs.ts";
import { LAMBDA_COMMANDS } from "./lambda-commands.ts";
import { publishCommand } from "./publish.ts";
import { runtimesCommand } from "./runtimes.ts";
import { serveCommand } from "./serve.ts";
import { serviceCommand } from "./service.ts";
import { urlCommand } from "./url.ts";
import { VERSION_LINE } from "../version.ts";

const main = defineCommand({
  meta: {
    name: "lambdalet",
    version: VERSION_LINE,
    description: "Run AWS Lambda-style functions on edge devices",
  },
  subCommands: {
    serve: serveCommand,
    "create-function": createFunctionCommand,
    invoke: invokeCommand,
    publish: publishCommand,
    url: urlCommand,
    ...LAMBDA_COMMANDS,
    events: eventsCommand,
    "event-sources": eventSourcesCommand,
    doctor: doctorCommand,
    "dead-letters": deadLettersCommand,
    deploy: deployCommand,
    deployments: deploymentsCommand,
    import: importCommand,
    service: serviceCommand,
    credentials: credentialsCommand,
    keys: keysCommand,
    logs: logsCommand,
    runtimes: runtimesCommand,
  },
});

await runMain(main);
