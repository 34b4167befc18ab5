/** @module The control plane: every operation on functions, whoever asks (the API, the CLI's agent, triggers). */
import type { DispatcherOptions } from "../events/mod.ts";
import { Aliases } from "./aliases.ts";
import { ChangeFeed } from "./change-feed.ts";
import type { ControlPlaneDeps, PartDeps } from "./deps.ts";
import { Deployments, type DeploymentsOptions } from "./deployments.ts";
import { EventInvokeConfigs } from "./event-invoke-configs.ts";
import { Functions } from "./functions.ts";
import { FunctionUrls } from "./function-urls.ts";
import { GreengrassImports } from "./greengrass-import.ts";
import { Invocations } from "./invocations.ts";
import { IotCore } from "./iot-core.ts";
import { Layers } from "./layers.ts";
import { startPinned } from "./pinned.ts";
import { ProvisionedConcurrency } from "./provisioned-concurrency.ts";
import { createSchedules, type Schedules } from "./schedules.ts";
import { Topics } from "./topics.ts";

/** Options of {@linkcode createControlPlane}. */
export interface ControlPlaneOptions {
  /** How the Event queue runs: concurrency and retry delays. */
  events: DispatcherOptions;
  /** Who is told of each deployment's end. @default none */
  deployments?: DeploymentsOptions;
}

/** The control plane's parts, each a small surface over the store, the code store and the scheduler. */
export interface ControlPlane {
  /** Functions and versions. */
  functions: Functions;
  /** Aliases. */
  aliases: Aliases;
  /** Layer versions. */
  layers: Layers;
  /** Event invoke configurations (retries, destinations). */
  eventInvokeConfigs: EventInvokeConfigs;
  /** Provisioned concurrency: workers of a version or alias initialised ahead and kept. */
  provisionedConcurrency: ProvisionedConcurrency;
  /** Invoking now or queueing; the dead letters. */
  invocations: Invocations;
  /** Deployments and rollbacks. */
  deployments: Deployments;
  /** Function URLs. */
  functionUrls: FunctionUrls;
  /** Greengrass v2 Lambda components imported as a function, a version and an alias. */
  greengrass: GreengrassImports;
  /** Local publish/subscribe: topics and their subscribers. */
  topics: Topics;
  /** The MQTT bridge (`IOT_CORE` sources, topic mappings), or null when the agent config has no `mqtt`. */
  iotCore: IotCore | null;
  /** Tells its listeners of every change to a function's stored state. */
  changes: ChangeFeed;
  /** Functions' schedules (`Edge.eventSources` of type `SCHEDULE`): each fire queues an Event invocation. */
  schedules: Schedules;
  /** Finishes what a stopped agent left: deployments under way (before anything serves the state). */
  recover(): void;
  /**
   * Starts every pinned worker, the provisioned ones, the Event queue and the schedules (once workers can reach the
   * agent).
   */
  start(): void;
  /** Stops the schedules and the Event queue (running events finish; the rest stay queued). */
  stop(): Promise<void>;
}

/** Builds the control plane over the agent's lower parts. */
export function createControlPlane(inputs: ControlPlaneDeps, options: ControlPlaneOptions): ControlPlane {
  const changes = new ChangeFeed();
  const deps: PartDeps = { ...inputs, changes };
  const invocations = new Invocations(deps, options.events);
  const deployments = new Deployments(deps, options.deployments);
  const schedules = createSchedules(deps, invocations);
  const functions = new Functions(deps);
  const aliases = new Aliases(deps);
  const topics = new Topics(deps, invocations);
  const iotCore = deps.mqtt ? new IotCore(deps, { invocations, topics }, deps.mqtt) : null;
  const provisionedConcurrency = new ProvisionedConcurrency(deps);
  return {
    functions,
    aliases,
    layers: new Layers(deps),
    greengrass: new GreengrassImports(deps, functions, aliases),
    eventInvokeConfigs: new EventInvokeConfigs(deps),
    provisionedConcurrency,
    invocations,
    deployments,
    functionUrls: new FunctionUrls(deps),
    topics,
    iotCore,
    changes,
    schedules,
    recover: () => deployments.recoverInterrupted(),
    start() {
      invocations.start();
      schedules.start();
      iotCore?.start();
      const names = new Set(deps.store.functions.listAllVersions().map((config) => config.functionName));
      for (const name of names) {
        startPinned(deps, name).catch((error: unknown) =>
          console.error(`lambdalet: starting the pinned workers of ${name}:`, error)
        );
      }
      provisionedConcurrency.start();
    },
    stop: async () => {
      schedules.stop();
      await iotCore?.stop();
      await invocations.stop();
    },
  };
}
