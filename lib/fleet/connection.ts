/**
 * @module A connection to the fleet's NATS hub: credentials (user and password, token, nkey seed or creds file),
 * TLS, reconnection without end, and a device's own inbox prefix (its permissions allow it no other inboxes).
 */
import { readFileSync } from "node:fs";
import {
  connect,
  type ConnectionOptions,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
} from "@nats-io/transport-node";
import { inboxPrefix } from "./names.ts";

/** How to authenticate to the hub: one of these, or none. */
export type FleetCredentials =
  | { user: string; password: string }
  | { token: string }
  | { nkeySeedFile: string }
  | { credsFile: string }
  | null;

/** Where the hub is and how to reach it. */
export interface FleetConnectionOptions {
  /** `nats://host:4222` or `tls://host:4222` (or several). */
  servers: string | string[];
  /** How to authenticate. */
  credentials: FleetCredentials;
  /** TLS: the hub's CA and, for mutual TLS, this side's certificate and key (PEM files); null for none. */
  tls: { caFile?: string; certFile?: string; keyFile?: string } | null;
  /** The connection's name as the hub shows it. */
  name: string;
  /** The device this connection is of (its inboxes are `_INBOX_<device>.>`); null for the deployer's CLI. */
  device: string | null;
  /**
   * Keep trying when the hub cannot be reached at first and after every loss (an agent); false fails at once when
   * the hub cannot be reached (the CLI).
   */
  persistent: boolean;
}

/** The `connect()` options for `options` (secrets read from their files now). */
export function connectionOptions(options: FleetConnectionOptions): ConnectionOptions {
  const credentials = options.credentials;
  const auth: Partial<ConnectionOptions> = credentials === null
    ? {}
    : "user" in credentials
    ? { user: credentials.user, pass: credentials.password }
    : "token" in credentials
    ? { token: credentials.token }
    : "nkeySeedFile" in credentials
    ? {
      authenticator: nkeyAuthenticator(
        new TextEncoder().encode(readFileSync(credentials.nkeySeedFile, "utf8").trim()),
      ),
    }
    : { authenticator: credsAuthenticator(new Uint8Array(readFileSync(credentials.credsFile))) };
  const tls = options.tls === null ? {} : {
    tls: {
      ...(options.tls.caFile ? { caFile: options.tls.caFile } : {}),
      ...(options.tls.certFile ? { certFile: options.tls.certFile } : {}),
      ...(options.tls.keyFile ? { keyFile: options.tls.keyFile } : {}),
    },
  };
  return {
    servers: options.servers,
    name: options.name,
    ...(options.device ? { inboxPrefix: inboxPrefix(options.device) } : {}),
    ...auth,
    ...tls,
    ...(options.persistent
      ? { waitOnFirstConnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 2000 }
      : { maxReconnectAttempts: 0, timeout: 10_000 }),
  };
}

/** Connects to the hub; a persistent connection resolves only once the hub has been reached. */
export async function connectFleet(options: FleetConnectionOptions): Promise<NatsConnection> {
  return await connect(connectionOptions(options));
}
