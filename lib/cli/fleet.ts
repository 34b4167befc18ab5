/**
 * @module `lambdalet fleet`: the command tree of deploying to a group of devices through the NATS hub (at once or as
 * a rollout), their status, remote invoke, signing keys, the rollout controller and the hub's config for a device.
 */
import { defineCommand } from "citty";
import { controllerCommand } from "./fleet-controller.ts";
import { deployCommand } from "./fleet-deploy.ts";
import { invokeCommand } from "./fleet-invoke.ts";
import { keygenCommand } from "./fleet-keygen.ts";
import { serverConfigCommand } from "./fleet-server-config.ts";
import { statusCommand } from "./fleet-status.ts";

/** The fleet command. */
export const fleetCommand = defineCommand({
  meta: {
    name: "fleet",
    description: "Deploy to many devices through a NATS hub; status, rollouts, remote invoke",
  },
  subCommands: {
    deploy: deployCommand,
    status: statusCommand,
    invoke: invokeCommand,
    keygen: keygenCommand,
    controller: controllerCommand,
    "server-config": serverConfigCommand,
  },
});
