/**
 * @module `lambdalet fleet`: deploy to a group of devices through the NATS hub (at once or as a rollout), their
 * status, remote invoke, signing keys, the rollout controller and the hub's config for a device.
 */
import { existsSync, writeFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { defineCommand } from "citty";
import type { NatsConnection } from "@nats-io/transport-node";
import * as v from "valibot";
import { connectFleet } from "../fleet/connection.ts";
import { DeploymentDocumentSchema } from "../config/mod.ts";
import { deployStable, FleetDeployError, openFleetStores } from "../fleet/deployer.ts";
import { generateSigningKeys, readPrivateKey, sealEnvelope } from "../fleet/envelope.ts";
import { invokeSubject } from "../fleet/names.ts";
import { RolloutController } from "../fleet/rollout.ts";
import { parsePercentage, parseRolloutSpec, RolloutPlanError } from "../fleet/rollout-plan.ts";
import { renderDeviceUser, renderServerConfig } from "../fleet/server-config.ts";
import {
  DEFAULT_STALE_AFTER_MS,
  readStatuses,
  renderStatusTable,
  statusJson,
} from "../fleet/status-table.ts";
import { readBlobArg } from "./arg-values.ts";
import { CliError, exitOnCliError } from "./cli-error.ts";
import { readDeploymentDocument } from "./deploy.ts";
import {
  type ConnectionArgs,
  connectionArgs,
  connectionOptionsOf,
  listFlag,
  parseDuration,
  parseFleetName,
} from "./fleet-args.ts";
import { IntegerFlag, parseFlag } from "./flags.ts";
import { printInvokeResult } from "./invoke.ts";
import { printResult } from "./output.ts";

/** The format tag of remote invoke requests. */
export const INVOKE_FORMAT = "lambdalet-invoke/1";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs a fleet command: every failure becomes a one-line message and an exit code, never a stack trace. */
function fleetRun<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
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
async function connectHub(args: ConnectionArgs, name: string, persistent = false): Promise<NatsConnection> {
  const options = { ...connectionOptionsOf(args, process.env, name), persistent };
  try {
    return await connectFleet(options);
  } catch (error) {
    const servers = Array.isArray(options.servers) ? options.servers.join(",") : options.servers;
    throw new CliError(`Could not connect to the hub ${servers}: ${messageOf(error)}`, 255);
  }
}

function signKeyOf(file: string | undefined): KeyObject | null {
  if (file === undefined) return null;
  try {
    return readPrivateKey(file);
  } catch (error) {
    throw new CliError(`Error parsing parameter '--sign-key': ${messageOf(error)}`, 252);
  }
}

async function withHub(
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

/** `fleet deploy`. */
const deployCommand = defineCommand({
  meta: { name: "deploy", description: "Deploy a document to a group: at once, or as a rollout in steps" },
  args: {
    file: { type: "positional", required: true, description: "The deployment document (YAML or JSON)" },
    group: { type: "string", required: true, description: "The group of devices" },
    "sign-key": { type: "string", description: "The Ed25519 private key (PEM) to sign with (fleet keygen)" },
    rollout: { type: "string", description: 'Release in steps: "10%,50%,100%" or "1,5,all"' },
    "abort-threshold": {
      type: "string",
      description: "Abort once this share of executed devices failed (20%)",
    },
    "abort-min-executed": {
      type: "string",
      description: "Executed devices needed before aborting (default 1)",
    },
    "step-timeout": {
      type: "string",
      description: "A released device not done after this fails (default 10m)",
    },
    "stale-after": { type: "string", description: "Devices silent longer are not targets (default 90s)" },
    detach: {
      type: "boolean",
      description: "Write the rollout's first step and exit (fleet controller drives it)",
    },
    force: { type: "boolean", description: "Deploy at once even while a rollout is in progress (aborts it)" },
    ...connectionArgs,
  },
  run: fleetRun(async ({ args }) => {
    const group = parseFleetName("group", args.group);
    const signKey = signKeyOf(args["sign-key"]);
    const rolloutOnly = ["abort-threshold", "abort-min-executed", "step-timeout", "detach"] as const;
    if (args.rollout === undefined) {
      const misplaced = rolloutOnly.find((flag) => args[flag] !== undefined && args[flag] !== false);
      if (misplaced) throw new CliError(`--${misplaced} needs --rollout`, 252);
    }
    const plan = args.rollout === undefined ? null : {
      steps: parseFlagWith("rollout", () => parseRolloutSpec(args.rollout!)),
      thresholdPercentage: args["abort-threshold"] === undefined
        ? null
        : parseFlagWith("abort-threshold", () => parsePercentage(args["abort-threshold"]!)),
      minExecuted: args["abort-min-executed"] === undefined ? 1 : parseFlag(
        v.pipe(IntegerFlag, v.minValue(1, "must be at least 1")),
        "abort-min-executed",
        args["abort-min-executed"],
      ),
      stepTimeoutMinutes: parseDuration("step-timeout", args["step-timeout"] ?? "10m") / 60_000,
    };
    const staleAfterMs = parseDuration(
      "stale-after",
      args["stale-after"] ?? `${DEFAULT_STALE_AFTER_MS / 1000}s`,
    );
    const document = readDeploymentDocument(args.file);
    const valid = v.safeParse(DeploymentDocumentSchema, document);
    if (!valid.success) {
      const issue = valid.issues[0];
      const where = issue.path?.map((item) => String(item.key)).join(".");
      throw new CliError(
        `The deployment document ${args.file} is not valid: ${where ? `${where}: ` : ""}${issue.message}`,
        252,
      );
    }
    await withHub(args, `lambdalet fleet deploy ${group}`, async (nc) => {
      const stores = await openFleetStores(nc);
      if (plan === null) {
        const deployed = await deployStable(stores, group, document, { signKey, force: args.force === true });
        printResult({
          Group: group,
          Key: "stable",
          Revision: deployed.revision,
          Digest: deployed.digest,
          Uploaded: deployed.uploaded,
          Reused: deployed.reused,
          Signed: signKey !== null,
        });
        return;
      }
      const controller = new RolloutController(stores, {
        signKey,
        staleAfterMs,
        log: (line) => console.error(line),
      });
      const started = await controller.start(group, document, plan);
      if (args.detach) {
        printResult({
          Group: group,
          RolloutId: started.rollout.rolloutId,
          Revision: started.revision,
          Digest: started.digest,
          Targets: started.rollout.targets,
          Released: started.rollout.released,
          Uploaded: started.uploaded,
          Reused: started.reused,
        });
        return;
      }
      const stop = new AbortController();
      const interrupt = () => stop.abort();
      process.once("SIGINT", interrupt);
      const result = await controller.drive(group, started.rollout.rolloutId, stop.signal)
        .finally(() => process.off("SIGINT", interrupt));
      console.error(renderStatusTable(await readStatuses(stores.status, { group, staleAfterMs })));
      printResult({
        Group: group,
        RolloutId: result.rolloutId,
        State: result.state,
        Reason: result.reason,
        Digest: started.digest,
        Targets: result.targets,
        Released: result.released,
        Outcomes: result.outcomes,
      });
      if (result.state !== "COMPLETED") {
        await nc.close().catch(() => {});
        process.exit(1);
      }
    });
  }),
});

function parseFlagWith<T>(flag: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new CliError(`Error parsing parameter '--${flag}': ${messageOf(error)}`, 252);
  }
}

/** `fleet status`. */
const statusCommand = defineCommand({
  meta: { name: "status", description: "What each device reports: desired revisions, deployment, functions" },
  args: {
    group: { type: "string", description: "Only the devices of this group" },
    "stale-after": { type: "string", description: "Silent longer than this is STALE (default 90s)" },
    output: { type: "string", description: "table (default) or json" },
    ...connectionArgs,
  },
  run: fleetRun(async ({ args }) => {
    const group = args.group === undefined ? null : parseFleetName("group", args.group);
    const staleAfterMs = parseDuration(
      "stale-after",
      args["stale-after"] ?? `${DEFAULT_STALE_AFTER_MS / 1000}s`,
    );
    const output = parseFlag(
      v.optional(v.picklist(["table", "json"], "must be table or json"), "table"),
      "output",
      args.output,
    );
    await withHub(args, "lambdalet fleet status", async (nc) => {
      const stores = await openFleetStores(nc);
      const entries = await readStatuses(stores.status, { group, staleAfterMs });
      if (output === "json") printResult(statusJson(entries));
      else console.log(renderStatusTable(entries));
    });
  }),
});

function isNamed(error: unknown, pattern: RegExp): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (pattern.test(cause.name) || pattern.test(cause.message)) return true;
  }
  return false;
}

const InvokeReplySchema = v.object({
  statusCode: v.pipe(v.number(), v.integer()),
  headers: v.optional(v.record(v.string(), v.string()), {}),
  body: v.string(),
});

/** `fleet invoke`. */
const invokeCommand = defineCommand({
  meta: {
    name: "invoke",
    description: "Invoke a function on a device through the hub (as lambdalet invoke)",
  },
  args: {
    "function-name": { type: "positional", required: true, description: "The function's name" },
    outfile: {
      type: "positional",
      required: false,
      description: "Where to write the response (default: stdout)",
    },
    device: { type: "string", required: true, description: "The device" },
    qualifier: { type: "string", description: "Version or alias to invoke" },
    payload: { type: "string", description: "The event: inline JSON, file://PATH or fileb://PATH" },
    "log-type": { type: "string", description: "None (default) or Tail" },
    "sign-key": { type: "string", description: "The Ed25519 private key (PEM) to sign the request with" },
    timeout: { type: "string", description: "Seconds to wait for the answer (default 60)" },
    output: { type: "string", description: "json (default) or table" },
    ...connectionArgs,
  },
  run: fleetRun(async ({ args }) => {
    const device = parseFleetName("device", args.device);
    const functionName = parseFlag(
      v.pipe(v.string(), v.regex(/^[A-Za-z0-9_:.-]{1,170}$/, "must be a function name")),
      "function-name",
      args["function-name"],
    );
    const logType = parseFlag(
      v.optional(v.picklist(["None", "Tail"], "must be None or Tail"), "None"),
      "log-type",
      args["log-type"],
    );
    const timeoutSeconds = parseFlag(
      v.optional(
        v.pipe(IntegerFlag, v.minValue(1, "must be at least 1"), v.maxValue(900, "must be at most 900")),
      ),
      "timeout",
      args.timeout,
    ) ?? 60;
    const format = parseFlag(
      v.optional(v.picklist(["json", "table"], "must be json or table"), "json"),
      "output",
      args.output,
    );
    const signKey = signKeyOf(args["sign-key"]);
    const payload = args.payload === undefined ? new Uint8Array() : readBlobArg("payload", args.payload);
    const request = sealEnvelope(
      new TextEncoder().encode(JSON.stringify({
        format: INVOKE_FORMAT,
        device,
        functionName,
        qualifier: args.qualifier ?? null,
        payload: Buffer.from(payload).toString("base64"),
        logType,
        clientContext: null,
        issuedAt: new Date().toISOString(),
        nonce: crypto.randomUUID(),
      })),
      signKey,
    );
    await withHub(args, "lambdalet fleet invoke", async (nc) => {
      const limit = nc.info?.max_payload ?? Infinity;
      if (request.byteLength > limit) {
        throw new CliError(
          `The request is ${request.byteLength} bytes, past the hub's max_payload ${limit}`,
          252,
        );
      }
      let raw: Uint8Array;
      try {
        raw = (await nc.request(invokeSubject(device), request, { timeout: timeoutSeconds * 1000 })).data;
      } catch (error) {
        if (isNamed(error, /NoResponders|no responders/i)) {
          throw new CliError(`${device} is not connected`, 255);
        }
        if (isNamed(error, /Timeout/i)) {
          throw new CliError(`${device} did not answer within ${timeoutSeconds} s`, 255);
        }
        if (isNamed(error, /Permission/i)) {
          throw new CliError(
            `The hub does not let these credentials invoke ${device}: ${messageOf(error)}`,
            254,
          );
        }
        throw error;
      }
      let reply: v.InferOutput<typeof InvokeReplySchema>;
      try {
        reply = v.parse(InvokeReplySchema, JSON.parse(new TextDecoder().decode(raw)));
      } catch {
        throw new CliError(`${device} answered something that is not an invoke reply`, 254);
      }
      const headers = new Headers(reply.headers);
      const body = new Uint8Array(Buffer.from(reply.body, "base64"));
      if (reply.statusCode >= 300) {
        const type = (headers.get("x-amzn-errortype") ?? `HTTP ${reply.statusCode}`).split(":")[0];
        let message = new TextDecoder().decode(body);
        try {
          const parsed = JSON.parse(message) as { message?: string; Message?: string };
          message = parsed.message ?? parsed.Message ?? message;
        } catch {
          // not JSON: as it came
        }
        throw new CliError(`An error occurred (${type}) when calling the Invoke operation: ${message}`, 254);
      }
      if (args.outfile === undefined) {
        process.stdout.write(body);
        if (body.byteLength > 0) process.stdout.write("\n");
        const meta: Record<string, unknown> = { StatusCode: reply.statusCode };
        for (
          const [header, member] of [
            ["x-amz-function-error", "FunctionError"],
            ["x-amz-log-result", "LogResult"],
            ["x-amz-executed-version", "ExecutedVersion"],
          ] as const
        ) {
          const value = headers.get(header);
          if (value) meta[member] = value;
        }
        console.error(JSON.stringify(meta, null, 4));
        return;
      }
      printInvokeResult(args.outfile, body, reply.statusCode, headers, format);
    });
  }),
});

/** `fleet keygen`. */
const keygenCommand = defineCommand({
  meta: { name: "keygen", description: "Make an Ed25519 key pair to sign deployments (NAME.key, NAME.pub)" },
  args: {
    out: { type: "string", required: true, description: "The files' name without extension" },
  },
  run: fleetRun(async ({ args }) => {
    const out = parseFlag(v.pipe(v.string(), v.minLength(1, "must not be empty")), "out", args.out);
    const keyFile = `${out}.key`;
    const pubFile = `${out}.pub`;
    for (const file of [keyFile, pubFile]) {
      if (existsSync(file)) throw new CliError(`${file} exists: refusing to overwrite a key`, 252);
    }
    const keys = generateSigningKeys();
    try {
      writeFileSync(keyFile, keys.privatePem, { mode: 0o600, flag: "wx" });
      writeFileSync(pubFile, keys.publicPem, { mode: 0o644, flag: "wx" });
    } catch (error) {
      throw new CliError(`Could not write the key files: ${messageOf(error)}`, 255);
    }
    printResult({
      PublicKey: keys.publicLine,
      KeyId: keys.keyId,
      PrivateKeyFile: keyFile,
      PublicKeyFile: pubFile,
    });
    return await Promise.resolve();
  }),
});

/** `fleet controller`. */
const controllerCommand = defineCommand({
  meta: { name: "controller", description: "Drive every rollout in progress, now and later, until stopped" },
  args: {
    "sign-key": { type: "string", description: "The Ed25519 private key (PEM) to sign with" },
    "stale-after": { type: "string", description: "Devices silent longer are not targets (default 90s)" },
    ...connectionArgs,
  },
  run: fleetRun(async ({ args }) => {
    const signKey = signKeyOf(args["sign-key"]);
    const staleAfterMs = parseDuration(
      "stale-after",
      args["stale-after"] ?? `${DEFAULT_STALE_AFTER_MS / 1000}s`,
    );
    const nc = await connectHub(args, "lambdalet fleet controller", true);
    const stop = new AbortController();
    const interrupt = () => stop.abort();
    process.once("SIGINT", interrupt);
    process.once("SIGTERM", interrupt);
    try {
      const stores = await openFleetStores(nc);
      console.error("lambdalet fleet controller: driving rollouts (Ctrl-C to stop)");
      await new RolloutController(stores, { signKey, staleAfterMs, log: (line) => console.error(line) })
        .runAll(stop.signal);
    } finally {
      await nc.close().catch(() => {});
    }
  }),
});

/** Every value of a flag given several times (citty keeps the last one only); undefined when not given. */
function repeated(rawArgs: readonly string[], flag: string): string[] | undefined {
  const values: string[] = [];
  rawArgs.forEach((arg, index) => {
    if (arg === `--${flag}` && rawArgs[index + 1] !== undefined) values.push(rawArgs[index + 1]!);
    else if (arg.startsWith(`--${flag}=`)) values.push(arg.slice(flag.length + 3));
  });
  return values.length ? values : undefined;
}

/** `fleet server-config`. */
const serverConfigCommand = defineCommand({
  meta: {
    name: "server-config",
    description: "Print a sample nats-server config, or with --device the hub's entry for one device",
  },
  args: {
    device: { type: "string", description: "The device" },
    group: { type: "string", description: "Its groups (repeat the flag or separate with commas)" },
    "public-nkey": {
      type: "string",
      description: "The device's nkey public key (U…, from nk -gen user -pubout)",
    },
    full: { type: "boolean", description: "With --device: the whole config holding that device" },
  },
  run: fleetRun(async ({ args, rawArgs }) => {
    const groups = listFlag(repeated(rawArgs, "group") ?? args.group).map((group) =>
      parseFleetName("group", group)
    );
    const login = args["public-nkey"] === undefined ? null : {
      nkey: parseFlag(
        v.pipe(v.string(), v.regex(/^U[A-Z2-7]{55}$/, "must be an nkey user public key (U followed by 55)")),
        "public-nkey",
        args["public-nkey"],
      ),
    };
    const deployer = { user: "deployer", password: "CHANGE-ME (a bcrypt hash from `nats server passwd`)" };
    if (args.device === undefined) {
      console.log(renderServerConfig({
        deployer,
        devices: [{ device: "pi-07", groups: groups.length ? groups : ["plant-a", "cameras"], login }],
      }));
      return await Promise.resolve();
    }
    const device = parseFleetName("device", args.device);
    if (groups.length === 0) throw new CliError("--device needs at least one --group", 252);
    const entry = { device, groups, login };
    console.log(args.full ? renderServerConfig({ deployer, devices: [entry] }) : renderDeviceUser(entry));
  }),
});

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
