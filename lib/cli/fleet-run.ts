/**
 * @module How every `lambdalet fleet` command runs: failures become a message and an exit code, the hub connection
 * lasts for the command, the signing key is read from its flag.
 */
import type { KeyObject } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectFleet } from "../fleet/connection.ts";
import { FleetDeployError } from "../fleet/deployer.ts";
import { readPrivateKey } from "../fleet/envelope.ts";
import { RolloutPlanError } from "../fleet/rollout-plan.ts";
import { CliError, exitOnCliError } from "./cli-error.ts";
import { type ConnectionArgs, connectionOptionsOf } from "./fleet-args.ts";

/** The message of a thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs a fleet command: every failure becomes a one-line message and an exit code, never a stack trace. */
export function fleetRun<A extends unknown[]>(
  run: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return exitOnCliError(async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (error instanceof RolloutPlanError) throw new CliError(messageOf(error), 252);
      if (error instanceof FleetDeployError) throw new CliError(messageOf(error), 254);
      throw new CliError(`The hub refused or failed: ${messageOf(error)}`, 254);
    }
  });
}

/** Connects to the hub for one command; a failure is a CLI error (exit 255). */
export async function connectHub(
  args: ConnectionArgs,
  name: string,
  persistent = false,
): Promise<NatsConnection> {
  const options = { ...connectionOptionsOf(args, process.env, name), persistent };
  try {
    return await connectFleet(options);
  } catch (error) {
    const servers = Array.isArray(options.servers) ? options.servers.join(",") : options.servers;
    throw new CliError(`Could not connect to the hub ${servers}: ${messageOf(error)}`, 255);
  }
}

/** The private key of `--sign-key`, or null when the flag is not given; an unreadable key is a CLI error. */
export function signKeyOf(file: string | undefined): KeyObject | null {
  if (file === undefined) return null;
  try {
    return readPrivateKey(file);
  } catch (error) {
    throw new CliError(`Error parsing parameter '--sign-key': ${messageOf(error)}`, 252);
  }
}

/** Runs `body` with a hub connection named `name`, closed afterwards. */
export async function withHub(
  args: ConnectionArgs,
  name: string,
  body: (nc: NatsConnection) => Promise<void>,
): Promise<void> {
  const nc = await connectHub(args, name);
  try {
    await body(nc);
  } finally {
    await nc.close().catch(() => {});
  }
}
