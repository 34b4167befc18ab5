/**
 * @module The `lambdalet fleet` commands' flags: where the NATS hub is and how to log in (flags first, then the nats
 * CLI's environment variables), and the durations and names they take; each value validated, errors naming the flag.
 */
import { accessSync, constants } from "node:fs";
import * as v from "valibot";
import type { FleetConnectionOptions, FleetCredentials } from "../fleet/connection.ts";
import { FleetNameSchema } from "../fleet/names.ts";
import { CliError } from "./cli-error.ts";
import { parseFlag } from "./flags.ts";

/** The hub used when neither `--server` nor `$NATS_URL` is set. */
export const DEFAULT_SERVER = "nats://127.0.0.1:4222";

/** The connection flags every fleet command that talks to the hub takes. */
export const connectionArgs = {
  server: {
    type: "string",
    description: `The NATS hub, or several comma-separated (default: $NATS_URL, else ${DEFAULT_SERVER})`,
  },
  creds: { type: "string", description: "A NATS credentials file (default: $NATS_CREDS)" },
  user: { type: "string", description: "The NATS user (default: $NATS_USER)" },
  password: { type: "string", description: "The NATS user's password (default: $NATS_PASSWORD)" },
  token: { type: "string", description: "A NATS token (default: $NATS_TOKEN)" },
  nkey: { type: "string", description: "A file holding an nkey seed (default: $NATS_NKEY)" },
  "tls-ca": { type: "string", description: "The hub's CA certificate, PEM (default: $NATS_CA)" },
  "tls-cert": {
    type: "string",
    description: "A client certificate for mutual TLS, PEM (default: $NATS_CERT)",
  },
  "tls-key": { type: "string", description: "The client certificate's key, PEM (default: $NATS_KEY)" },
} as const;

/** The connection flags as citty hands them over. */
export interface ConnectionArgs {
  server?: string;
  creds?: string;
  user?: string;
  password?: string;
  token?: string;
  nkey?: string;
  "tls-ca"?: string;
  "tls-cert"?: string;
  "tls-key"?: string;
}

const ServerSchema = v.pipe(
  v.string(),
  v.transform((text) => text.split(",").map((part) => part.trim()).filter((part) => part !== "")),
  v.minLength(1, "must name a server"),
  v.check(
    (servers) => servers.every((server) => /^((nats|tls):\/\/)?[^\s/:]+(:\d{1,5})?$/.test(server)),
    "must be nats://host:port or tls://host:port (or several, comma-separated)",
  ),
);

const NonEmpty = v.pipe(v.string(), v.minLength(1, "must not be empty"));

function readableFile(flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  parseFlag(NonEmpty, flag, file);
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new CliError(`Error parsing parameter '--${flag}': cannot read the file ${file}`, 252);
  }
  return file;
}

function credentialsOf(args: ConnectionArgs, env: Record<string, string | undefined>): FleetCredentials {
  const given = ["creds", "user", "password", "token", "nkey"].some((flag) =>
    args[flag as keyof ConnectionArgs] !== undefined
  );
  // flags replace the environment as a whole: a --token is not mixed with $NATS_USER
  const from = given ? args : {
    creds: env.NATS_CREDS || undefined,
    user: env.NATS_USER || undefined,
    password: env.NATS_PASSWORD || undefined,
    token: env.NATS_TOKEN || undefined,
    nkey: env.NATS_NKEY || undefined,
  };
  const kinds = [
    from.creds !== undefined ? "--creds" : null,
    from.user !== undefined || from.password !== undefined ? "--user/--password" : null,
    from.token !== undefined ? "--token" : null,
    from.nkey !== undefined ? "--nkey" : null,
  ].filter((kind) => kind !== null);
  if (kinds.length > 1) {
    throw new CliError(`Use one way to log in to the hub, not ${kinds.join(" and ")}`, 252);
  }
  if (from.creds !== undefined) return { credsFile: readableFile("creds", from.creds)! };
  if (from.nkey !== undefined) return { nkeySeedFile: readableFile("nkey", from.nkey)! };
  if (from.token !== undefined) return { token: parseFlag(NonEmpty, "token", from.token) };
  if (from.user !== undefined || from.password !== undefined) {
    if (from.user === undefined) throw new CliError("--password needs --user", 252);
    if (from.password === undefined) throw new CliError("--user needs --password", 252);
    return { user: parseFlag(NonEmpty, "user", from.user), password: from.password };
  }
  return null;
}

/**
 * The connection options of a fleet command (never persistent: the CLI fails at once when the hub cannot be reached).
 * Flags win over the environment (`$NATS_URL`, `$NATS_CREDS`, `$NATS_USER`/`$NATS_PASSWORD`, `$NATS_TOKEN`,
 * `$NATS_NKEY`, `$NATS_CA`/`$NATS_CERT`/`$NATS_KEY`).
 */
export function connectionOptionsOf(
  args: ConnectionArgs,
  env: Record<string, string | undefined> = process.env,
  name = "lambdalet fleet",
): FleetConnectionOptions {
  const servers = parseFlag(ServerSchema, "server", args.server ?? (env.NATS_URL || DEFAULT_SERVER));
  const caFile = readableFile("tls-ca", args["tls-ca"] ?? (env.NATS_CA || undefined));
  const certFile = readableFile("tls-cert", args["tls-cert"] ?? (env.NATS_CERT || undefined));
  const keyFile = readableFile("tls-key", args["tls-key"] ?? (env.NATS_KEY || undefined));
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new CliError("--tls-cert and --tls-key go together (mutual TLS)", 252);
  }
  const wantsTls = caFile !== undefined || certFile !== undefined ||
    servers.some((server) => server.startsWith("tls://"));
  return {
    servers: servers.length === 1 ? servers[0]! : servers,
    credentials: credentialsOf(args, env),
    tls: wantsTls
      ? { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) }
      : null,
    name,
    device: null,
    persistent: false,
  };
}

/** Reads a duration: `500ms`, `90s`, `10m`, `1h`, or a number of seconds; returns milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  const value = match
    ? Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"]!
    : NaN;
  if (!match || !(value > 0)) {
    throw new CliError(
      `Error parsing parameter '--${flag}': "${text}" must be a duration above zero such as 90s, 10m or 1h`,
      252,
    );
  }
  return value;
}

/** Reads a device or group name flag. */
export function parseFleetName(flag: string, value: unknown): string {
  return parseFlag(FleetNameSchema, flag, value);
}

/** Reads a flag that may be given several times or comma-separated (`--group a --group b`, `--group a,b`). */
export function listFlag(value: string | string[] | undefined): string[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values.flatMap((item) => String(item).split(",")).map((item) => item.trim()).filter((item) =>
    item !== ""
  );
}
