/** @module A real Mosquitto broker for the tests: a generated config, TLS with client certificates, a loopback port. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./agent-process.ts";
import { freePort, startServer } from "./loopback-port.ts";
import { makeTestCertificates, type TestCertificates } from "./test-certificates.ts";

/** Debian's broker (package mosquitto), or null when it is not installed. */
export const MOSQUITTO: string | null =
  ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find((path) => existsSync(path)) ??
    null;

/** A running (or stopped, restartable) broker. */
export interface Mosquitto {
  /** `mqtts://127.0.0.1:<port>`. */
  url: string;
  /** The port, kept across restarts. */
  port: number;
  /** The CA, server and client certificates. */
  pki: TestCertificates;
  /** Everything the broker logged so far (it logs every packet). */
  log(): string;
  /** Stops it (SIGTERM: it saves its sessions) and waits for its exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the sessions it saved. */
  start(): Promise<void>;
}

/**
 * Starts Mosquitto on a free loopback port with TLS that requires a client certificate signed by a test CA, persistent
 * sessions (kept across its own restarts) and every packet logged.
 */
export async function startMosquitto(): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error("mosquitto is not installed");
  const dir = tempDir("lambdalet-mosquitto-");
  const pki = makeTestCertificates();
  const port = await freePort();
  const logFile = join(dir, "mosquitto.log");
  writeFileSync(
    join(dir, "mosquitto.conf"),
    [
      "user root",
      "persistence true",
      `persistence_location ${dir}/`,
      `log_dest file ${logFile}`,
      "log_type all",
      "allow_anonymous true",
      `listener ${port} 127.0.0.1`,
      `cafile ${pki.caCert}`,
      `certfile ${pki.serverCert}`,
      `keyfile ${pki.serverKey}`,
      "require_certificate true",
      "",
    ].join("\n"),
  );
  let proc: Bun.Subprocess | null = null;
  const broker: Mosquitto = {
    url: `mqtts://127.0.0.1:${port}`,
    port,
    pki,
    log: () => existsSync(logFile) ? readFileSync(logFile, "utf8") : "",
    async start() {
      proc = await startServer([MOSQUITTO!, "-c", join(dir, "mosquitto.conf")], port, broker.log);
    },
    async stop() {
      if (!proc) return;
      proc.kill("SIGTERM");
      await proc.exited;
      proc = null;
    },
  };
  await broker.start();
  return broker;
}
