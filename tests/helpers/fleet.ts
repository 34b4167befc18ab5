/**
 * @module A fleet for the end-to-end tests: one nats-server, agent processes that join it from their config files
 * (each in a data dir of its own), the deployer's signing key, the `lambdalet fleet` CLI with the deployer's
 * credentials, and a look at the hub's buckets from the deployer's side.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { buildZip } from "../../lib/code/mod.ts";
import { type DesiredPayload, parseDesiredPayload } from "../../lib/fleet/desired-document.ts";
import { openEnvelope, parsePublicKey } from "../../lib/fleet/envelope.ts";
import {
  DESIRED_BUCKET,
  desiredKey,
  type DesiredKind,
  STATUS_BUCKET,
  statusKey,
} from "../../lib/fleet/names.ts";
import { type AgentProcess, startAgentProcess } from "./agent-process.ts";
import { type CliResult, runCli } from "./cli.ts";
import { eventually } from "./functions.ts";
import { type Nats, startNats } from "./nats.ts";

/** The hub the tests start. */
export type TestHub = Nats;

/** What a device writes to its status key (the members the tests read). */
export interface DeviceStatus {
  device: string;
  groups: string[];
  desired: Record<string, { key: DesiredKind; revision: number; digest: string } | null>;
  deployment: { digest: string; id: string | null; status: string; error: string | null } | null;
  functions: Record<string, { state: string; lastError: string | null }>;
  refused: { group: string; key: DesiredKind; revision: number; reason: string; keyId: string | null }[];
  reportedAt: string;
}

/** A desired-state key as the deployer reads it back. */
export interface DesiredEntry {
  revision: number;
  /** The envelope's bytes as stored. */
  bytes: Uint8Array;
  /** The payload's bytes (what was signed). */
  payload: Uint8Array;
  /** The payload parsed. */
  parsed: DesiredPayload;
}

/** One device of the test fleet: its config file, its data dir and its agent process while it runs. */
export interface TestDevice {
  name: string;
  groups: string[];
  dataDir: string;
  /** The running agent (null while stopped). */
  agent: AgentProcess | null;
  /** The running agent; throws while it is stopped. */
  running(): AgentProcess;
  /** Starts its agent (again: same data dir and config). */
  start(): Promise<AgentProcess>;
  /** Stops its agent with SIGTERM. */
  stop(): Promise<void>;
  /** Kills its agent with SIGKILL (no chance to finish anything). */
  kill(): Promise<void>;
}

/** A function of a test document: its name and the handler's source (zipped as index.js). */
export interface TestFunction {
  name: string;
  source: string;
  /** Extra document members (Edge, Environment, …). */
  extra?: Record<string, unknown>;
}

/** Options of {@linkcode startTestFleet}. */
export interface TestFleetOptions {
  /** Each device's groups, in order. */
  devices: Record<string, string[]>;
  /** The folder for everything (data dirs, configs, documents, keys). */
  work: string;
  /** Start the hub only after the agents. @default false */
  hubAfterAgents?: boolean;
}

/** A running test fleet. */
export interface TestFleet {
  hub: TestHub;
  devices: Record<string, TestDevice>;
  /** The deployer's signing key file (PKCS#8 PEM) made by `lambdalet fleet keygen`. */
  signKey: string;
  /** Runs `lambdalet fleet <args>` with the hub's address and the deployer's credentials. */
  cli(args: string[]): Promise<CliResult>;
  /** Deploys a document to a group (signed) and fails unless the CLI exits 0; answers the stable key's revision. */
  deploy(group: string, document: string, extra?: string[]): Promise<DesiredEntry>;
  /** Writes a deployment document of `functions` (and their zips) to the work folder; answers its path. */
  document(name: string, functions: TestFunction[]): string;
  /** A device's status key, or null when it has written none (or the bucket is not there yet). */
  status(device: string): Promise<DeviceStatus | null>;
  /** A group's key read with the deployer's credentials, or null. */
  desired(group: string, kind: DesiredKind): Promise<DesiredEntry | null>;
  /** The desired-state bucket, opened with the deployer's credentials. */
  desiredBucket(): Promise<KV>;
  /** Starts the hub (again) and waits until its JetStream answers the deployer. */
  startHub(): Promise<void>;
  /** Stops the agents, the deployer's connection and the hub. */
  close(): Promise<void>;
}

/** The hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A handler that answers `answer` and the event, logging a line first. */
export function answering(answer: string): string {
  return `exports.handler = async (event) => {
  console.log("answering", ${JSON.stringify(answer)});
  return { answer: ${JSON.stringify(answer)}, event };
};
`;
}

/**
 * Starts a hub and one agent per device (configs holding `fleet` with the device's nkey, its groups and the
 * deployer's public key from `lambdalet fleet keygen`); with `hubAfterAgents` the hub is down while they start.
 */
export async function startTestFleet(options: TestFleetOptions): Promise<TestFleet> {
  const { work } = options;
  const names = Object.keys(options.devices);
  const keyBase = join(work, "deployer");
  const keygen = await runCli(["fleet", "keygen", "--out", keyBase]);
  if (keygen.code !== 0) throw new Error(`fleet keygen failed: ${keygen.stdout}${keygen.stderr}`);
  const signKey = `${keyBase}.key`;
  const publicPem = readFileSync(`${keyBase}.pub`, "utf8");
  const publicKey = parsePublicKey(publicPem);
  const hub = await startNats({
    devices: names,
    groupsOf: (device: string) => options.devices[device] ?? [],
  });
  if (options.hubAfterAgents) await hub.stop();

  const devices: Record<string, TestDevice> = {};
  for (const name of names) {
    const home = join(work, name);
    mkdirSync(home, { recursive: true });
    const config = join(home, "lambdalet.json");
    const groups = options.devices[name]!;
    writeFileSync(
      config,
      JSON.stringify({
        fleet: {
          url: hub.url,
          device: name,
          groups,
          credentials: { nkeySeedFile: hub.seedFileOf(name) },
          publicKey: publicPem,
          heartbeatSeconds: 5,
        },
      }),
    );
    const device: TestDevice = {
      name,
      groups,
      dataDir: join(home, "data"),
      agent: null,
      running() {
        if (!device.agent) throw new Error(`the agent of ${name} is stopped`);
        return device.agent;
      },
      async start() {
        device.agent = await startAgentProcess({ dataDir: device.dataDir, flags: ["--config", config] });
        return device.agent;
      },
      async stop() {
        const agent = device.agent;
        device.agent = null;
        await agent?.stop();
      },
      async kill() {
        const agent = device.agent;
        device.agent = null;
        agent?.proc.kill("SIGKILL");
        await agent?.proc.exited;
      },
    };
    devices[name] = device;
  }
  let deployer: NatsConnection | null = null;
  // a start that fails half way leaves nothing running (its test's afterAll has no fleet to close)
  const abandon = async (error: unknown): Promise<never> => {
    await Promise.all(Object.values(devices).map((device) => device.stop()));
    await deployer?.close();
    await hub.stop();
    throw error;
  };
  // one after another: a 2-core machine starts three agents at once slowly and unevenly
  try {
    for (const device of Object.values(devices)) await device.start();
  } catch (error) {
    await abandon(error);
  }

  const buckets = new Map<string, KV>();
  const connection = async () => {
    deployer ??= await connect({
      servers: hub.url,
      user: hub.deployer.user,
      pass: hub.deployer.password,
      name: "the tests' deployer",
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    return deployer;
  };
  const bucket = async (name: string): Promise<KV | null> => {
    const known = buckets.get(name);
    if (known) return known;
    try {
      const opened = await new Kvm(await connection()).open(name);
      buckets.set(name, opened);
      return opened;
    } catch {
      return null; // the deployer creates the buckets at its first deploy
    }
  };
  const connectionArgs = () => [
    "--server",
    hub.url,
    "--user",
    hub.deployer.user,
    "--password",
    hub.deployer.password,
  ];

  const fleet: TestFleet = {
    hub,
    devices,
    signKey,
    cli: (args) => runCli(["fleet", ...args, ...connectionArgs()], { cwd: work }),
    async deploy(group, document, extra = []) {
      // what the key holds now may be anything (a test writes refused documents): only its revision counts
      const kv = await bucket(DESIRED_BUCKET);
      const before = (await kv?.get(desiredKey(group, "stable")).catch(() => null))?.revision ?? 0;
      const result = await fleet.cli(["deploy", "--group", group, document, "--sign-key", signKey, ...extra]);
      if (result.code !== 0) {
        throw new Error(
          `fleet deploy --group ${group} exited ${result.code}:\n${result.stdout}\n${result.stderr}`,
        );
      }
      const entry = await fleet.desired(group, "stable");
      if (!entry || entry.revision <= before) {
        throw new Error(`fleet deploy wrote no new group.${group}.stable`);
      }
      return entry;
    },
    document(name, functions) {
      const entries = functions.map((fn) => {
        const zip = `${name}-${fn.name}.zip`;
        writeFileSync(join(work, zip), buildZip({ "index.js": fn.source }));
        return {
          FunctionName: fn.name,
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Code: { ZipFilePath: zip },
          ...fn.extra,
        };
      });
      const path = join(work, `${name}.yaml`);
      writeFileSync(path, JSON.stringify({ failureHandlingPolicy: "ROLLBACK", functions: entries }, null, 2));
      return path;
    },
    async status(device) {
      const kv = await bucket(STATUS_BUCKET);
      const entry = await kv?.get(statusKey(device)).catch(() => null);
      if (!entry || entry.operation !== "PUT") return null;
      return JSON.parse(new TextDecoder().decode(entry.value)) as DeviceStatus;
    },
    async desired(group, kind) {
      const kv = await bucket(DESIRED_BUCKET);
      const entry = await kv?.get(desiredKey(group, kind)).catch(() => null);
      if (!entry || entry.operation !== "PUT") return null;
      const opened = openEnvelope(entry.value, [publicKey]);
      if (!opened.ok) throw new Error(`group.${group}.${kind} does not open: ${opened.reason}`);
      return {
        revision: entry.revision,
        bytes: entry.value,
        payload: opened.payload,
        parsed: parseDesiredPayload(opened.payload, group, kind),
      };
    },
    async desiredBucket() {
      const kv = await bucket(DESIRED_BUCKET);
      if (!kv) throw new Error(`the bucket ${DESIRED_BUCKET} is not there`);
      return kv;
    },
    async startHub() {
      await hub.start();
      // the port accepts before JetStream has read its store back
      await eventually(async () => {
        try {
          await (await jetstreamManager(await connection(), { timeout: 2000 })).getAccountInfo();
          return true;
        } catch {
          return undefined;
        }
      }, 60_000);
    },
    async close() {
      await Promise.all(Object.values(devices).map((device) => device.stop()));
      await deployer?.close();
      await hub.stop();
    },
  };
  // running already: waits for its JetStream
  if (!options.hubAfterAgents) await fleet.startHub().catch(abandon);
  return fleet;
}
