/** @module The lambdalet command line: `serve` runs the agent; the other commands talk to it over HTTP. */
import { type CommandDef, defineCommand, runMain } from "citty";
import { VERSION_LINE } from "../version.ts";

/** A command loaded only when it runs (or help lists it): `serve` loads none of the client commands. */
type LazyCommand = () => Promise<CommandDef>;

// deno-lint-ignore no-explicit-any
const lazy = <T>(load: () => Promise<T>, pick: (module: T) => CommandDef<any>): LazyCommand => async () =>
  pick(await load()) as CommandDef;

/** The commands before the control-plane ones, in the order help lists them. */
const FIRST: Record<string, LazyCommand> = {
  serve: lazy(() => import("./serve.ts"), (m) => m.serveCommand),
  "create-function": lazy(() => import("./create-function.ts"), (m) => m.createFunctionCommand),
  invoke: lazy(() => import("./invoke.ts"), (m) => m.invokeCommand),
  publish: lazy(() => import("./publish.ts"), (m) => m.publishCommand),
  url: lazy(() => import("./url.ts"), (m) => m.urlCommand),
};

/** The commands after the control-plane ones. */
const LAST: Record<string, LazyCommand> = {
  events: lazy(() => import("./events.ts"), (m) => m.eventsCommand),
  "event-sources": lazy(() => import("./event-sources.ts"), (m) => m.eventSourcesCommand),
  doctor: lazy(() => import("./doctor.ts"), (m) => m.doctorCommand),
  "dead-letters": lazy(() => import("./dead-letters.ts"), (m) => m.deadLettersCommand),
  deploy: lazy(() => import("./deploy.ts"), (m) => m.deployCommand),
  deployments: lazy(() => import("./deploy.ts"), (m) => m.deploymentsCommand),
  import: lazy(() => import("./import.ts"), (m) => m.importCommand),
  service: lazy(() => import("./service.ts"), (m) => m.serviceCommand),
  credentials: lazy(() => import("./credentials.ts"), (m) => m.credentialsCommand),
  keys: lazy(() => import("./keys.ts"), (m) => m.keysCommand),
  logs: lazy(() => import("./logs.ts"), (m) => m.logsCommand),
  runtimes: lazy(() => import("./runtimes.ts"), (m) => m.runtimesCommand),
  fleet: lazy(() => import("./fleet.ts"), (m) => m.fleetCommand),
};

/**
 * The control-plane commands (AWS CLI names, many of them): loaded unless the command line names one of the others,
 * so that help and those commands see them all.
 */
async function lambdaCommands(name: string | undefined): Promise<Record<string, CommandDef>> {
  if (name !== undefined && (name in FIRST || name in LAST)) return {};
  return (await import("./lambda-commands.ts")).LAMBDA_COMMANDS;
}

const main = defineCommand({
  meta: {
    name: "lambdalet",
    version: VERSION_LINE,
    description: "Run AWS Lambda-style functions on edge devices",
  },
  subCommands: { ...FIRST, ...await lambdaCommands(process.argv[2]), ...LAST },
});

await runMain(main);
