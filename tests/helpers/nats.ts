/**
 * @module A real nats-server with JetStream for the fleet tests: a generated config (a deployer user, one nkey user
 * per device with the permissions lib/fleet/server-config.ts renders), a store dir, a free loopback port.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectFleet } from "../../lib/fleet/connection.ts";
import { renderServerConfig } from "../../lib/fleet/server-config.ts";
import { tempDir } from "./agent-process.ts";
import { freePort, startServer } from "./loopback-port.ts";
import { makeTestCertificates, type TestCertificates } from "./test-certificates.ts";

/** Debian's nats-server (package nats-server), or null when it is not installed. */
export const NATS_SERVER: string | null =
  ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].find((path) =>
    existsSync(path)
  ) ??
    Bun.which("nats-server") ??
    null;

/** What {@linkcode startNats} sets up. */
export interface NatsOptions {
  /** The devices, each an nkey user. */
  devices: readonly string[];
  /** The groups a device may watch. */
  groupsOf: (device: string) => readonly string[];
  /** TLS on the client port with test certificates (the URL becomes `tls://`). @default false */
  tls?: boolean;
}

/** A running (or stopped, restartable) nats-server. */
export interface Nats {
  /** `nats://127.0.0.1:<port>` (`tls://` with TLS). */
  url: string;
  /** The port, kept across restarts. */
  port: number;
  /** The deployer's login: it may do everything in the fleet's account. */
  deployer: { user: string; password: string };
  /** The file (0600) holding `device`'s nkey seed. */
  seedFileOf(device: string): string;
  /** `device`'s nkey public key. */
  publicKeyOf(device: string): string;
  /** The test certificates when started with TLS, else null. */
  pki: TestCertificates | null;
  /** Everything the server logged so far (permission violations included). */
  log(): string;
  /** Stops it (SIGTERM) and waits for its exit; its store stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>;
}

/** Starts nats-server with JetStream on a free loopback port, the deployer and one nkey user per device. */
export async function startNats(options: NatsOptions): Promise<Nats> {
  if (!NATS_SERVER) throw new Error("nats-server is not installed");
  const dir = tempDir("lambdalet-nats-");
  const port = await freePort();
  const pki = options.tls ? makeTestCertificates() : null;
  const deployer = { user: "deployer", password: crypto.randomUUID() };
  const keys = new Map<string, { seedFile: string; publicKey: string }>();
  for (const device of options.devices) {
    const pair = createUser();
    const seedFile = join(dir, `${device}.nk`);
    writeFileSync(seedFile, new TextDecoder().decode(pair.getSeed()) + "\n", { mode: 0o600 });
    chmodSync(seedFile, 0o600);
    keys.set(device, { seedFile, publicKey: pair.getPublicKey() });
  }
  const logFile = join(dir, "nats-server.log");
  const configFile = join(dir, "nats-server.conf");
  writeFileSync(
    configFile,
    renderServerConfig({
      listen: `127.0.0.1:${port}`,
      maxPayload: "8MB",
      storeDir: join(dir, "store"),
      tls: pki ? { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caCert } : null,
      deployer,
      devices: options.devices.map((device) => ({
        device,
        groups: options.groupsOf(device),
        login: { nkey: keys.get(device)!.publicKey },
      })),
    }) + `log_file: ${JSON.stringify(logFile)}\nlogtime: true\n`,
  );
  const known = (device: string) => {
    const key = keys.get(device);
    if (!key) throw new Error(`${device} is not a device of this nats-server`);
    return key;
  };
  let proc: Bun.Subprocess | null = null;
  const log = () => existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
  const nats: Nats = {
    url: `${pki ? "tls" : "nats"}://127.0.0.1:${port}`,
    port,
    deployer,
    seedFileOf: (device) => known(device).seedFile,
    publicKeyOf: (device) => known(device).publicKey,
    pki,
    log,
    async start() {
      if (proc) return;
      proc = await startServer([NATS_SERVER!, "-c", configFile], port, log, 30_000);
    },
    async stop() {
      if (!proc) return;
      const stopping = proc;
      proc = null;
      stopping.kill("SIGTERM");
      await stopping.exited;
    },
  };
  await nats.start();
  return nats;
}

/** Connects to `hub` as its deployer (user and password, no TLS), failing at once when it cannot be reached. */
export async function connectDeployer(hub: Pick<Nats, "url" | "deployer">): Promise<NatsConnection> {
  return await connectFleet({
    servers: hub.url,
    credentials: hub.deployer,
    tls: null,
    name: "deployer",
    device: null,
    persistent: false,
  });
}
