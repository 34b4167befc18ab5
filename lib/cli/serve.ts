/** @module `lambdalet serve`: runs the agent until SIGTERM or SIGINT. */
import { defineCommand } from "citty";
import type { Agent } from "../agent.ts";
import { AgentOptionsError, loadAgentOptions } from "../config/mod.ts";
import { agentLogFormat, installAgentLog } from "../logs/mod.ts";
import { resolveRuntimes } from "../runtimes/mod.ts";
import { VERSION } from "../version.ts";
import { CliError, exitOnCliError } from "./cli-error.ts";

/** The serve command. */
export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Run the agent: the Lambda API, the scheduler and the workers" },
  args: {
    config: { type: "string", description: "Agent config file (JSON; see config/lambdalet.example.json)" },
    host: { type: "string", description: "Address to listen on (default 127.0.0.1)" },
    port: { type: "string", description: "Port to listen on (default 9001; 0 picks a free one)" },
    "data-dir": { type: "string", description: "Where state is kept (default /var/lib/lambdalet as root)" },
    region: { type: "string", description: "Region named in ARNs (default us-east-1)" },
    "default-container-mode": {
      type: "string",
      description: "Container mode of functions that name none: GreengrassContainer (default) or NoContainer",
    },
    "container-fallback": {
      type: "string",
      description:
        "NoContainer: run GreengrassContainer functions without a container where the host cannot isolate",
    },
    demo: { type: "boolean", description: "Deploy the demo function 'hello' at start" },
    "tls-cert": { type: "string", description: "PEM certificate (chain) file: serve HTTPS (with --tls-key)" },
    "tls-key": { type: "string", description: "PEM private key file of --tls-cert" },
    "http-routes-prefix": {
      type: "string",
      description: "Path prefix of functions' API Gateway routes (Edge.http) on the API port (default /api)",
    },
    "http-routes-port": {
      type: "string",
      description: "Also serve the API Gateway routes at the root of this port (0 picks one; default none)",
    },
    "log-format": {
      type: "string",
      description: "The agent's own log: text or json lines (default: text on a terminal, json otherwise)",
    },
  },
  run: exitOnCliError(async ({ args }) => {
    let options;
    try {
      options = loadAgentOptions(args.config, {
        host: args.host,
        port: args.port,
        dataDir: args["data-dir"],
        region: args.region,
        tlsCert: args["tls-cert"],
        tlsKey: args["tls-key"],
        defaultContainerMode: args["default-container-mode"],
        containerFallback: args["container-fallback"],
        logFormat: args["log-format"],
        httpRoutes: args["http-routes-prefix"] === undefined && args["http-routes-port"] === undefined
          ? undefined
          : Object.fromEntries(
            Object.entries({ prefix: args["http-routes-prefix"], port: args["http-routes-port"] })
              .filter(([, value]) => value !== undefined),
          ),
      });
    } catch (error) {
      if (error instanceof AgentOptionsError) throw new CliError(error.message, 252);
      throw error;
    }
    installAgentLog(agentLogFormat(options.logFormat));
    // the interpreters answer (node, python and their shims: a few hundred ms) while the agent's modules load
    const runtimes = resolveRuntimes(options.interpreters);
    const modules = Promise.all([
      import("../agent.ts"),
      import("../store/mod.ts"),
      import("../recovery/mod.ts"),
      import("../mqtt/mod.ts"),
    ]);
    const [{ startAgent }, { SchemaTooNewError }, { DataDirInUseError }, { MqttBridgeError }] = await modules;
    let agent: Agent;
    try {
      agent = await startAgent(options, { runtimes });
    } catch (error) {
      if (
        error instanceof SchemaTooNewError || error instanceof DataDirInUseError ||
        error instanceof MqttBridgeError
      ) {
        throw new CliError(error.message, 1);
      }
      throw error;
    }
    console.log(`lambdalet ${VERSION} listening on ${agent.url} (data in ${options.dataDir})`);
    if (agent.routesUrl) console.log(`lambdalet: API Gateway routes on ${agent.routesUrl}`);
    if (args.demo) await deployDemo(agent);
    stopOnSignals(agent);
  }),
});

async function deployDemo(agent: Agent): Promise<void> {
  // the demo function (and the zip writer it needs) is loaded only with --demo
  const [{ DEMO_FUNCTION_NAME, demoCreateFunctionBody, demoCurlLine }, { readCredentialsFile, signRequest }] =
    await Promise.all([import("../demo/demo-function.ts"), import("../auth/mod.ts")]);
  const url = `${agent.url}/2015-03-31/functions`;
  const body = JSON.stringify(demoCreateFunctionBody(agent.canIsolate));
  const credentials = readCredentialsFile(agent.credentialsFile);
  if (!credentials) throw new CliError(`Cannot read the agent's own ${agent.credentialsFile}`, 1);
  const headers = await signRequest({ method: "POST", url, body }, credentials, agent.region);
  const response = await agent.fetch(new Request(url, { method: "POST", body, headers }));
  if (response.status !== 201 && response.status !== 409) {
    throw new CliError(`Could not deploy the demo function: ${await response.text()}`, 1);
  }
  console.log(
    `Demo function '${DEMO_FUNCTION_NAME}' is deployed. Invoke it with:\n\n  ${demoCurlLine(agent.url)}\n`,
  );
}

function stopOnSignals(agent: Agent): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`lambdalet: ${signal} received, stopping workers`);
    agent.stop().then(() => process.exit(0), (error: unknown) => {
      console.error("lambdalet: could not stop cleanly:", error);
      process.exit(1);
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
