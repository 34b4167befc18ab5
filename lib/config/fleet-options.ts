/**
 * @module The agent config's `fleet` member: the NATS hub this device joins, its name and groups, its credentials,
 * the deployer's public key and the heartbeat. Messages never quote a secret.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { accessSync, constants, readFileSync } from "node:fs";
import * as v from "valibot";
import { formatIssues, issuePath } from "./validation-issues.ts";

/** How the device authenticates to the hub, its secrets read from their files: one of these, or none. */
export type FleetCredentialsOption =
  | { user: string; password: string }
  | { token: string }
  | { nkeySeedFile: string }
  | { credsFile: string }
  | null;

/** The `fleet` setting after validation and defaults. */
export interface FleetOptions {
  /** The hub: `nats://host:4222` or `tls://host:4222`, or several (tried in turn). */
  servers: string[];
  /** This device's name (a NATS subject token). */
  device: string;
  /** The groups it follows, in order: a function several groups name takes the definition of the last one. */
  groups: string[];
  /** How it authenticates. @default null (none) */
  credentials: FleetCredentialsOption;
  /** TLS to the hub: its CA and, for mutual TLS, this device's certificate and key. @default null */
  tls: { caFile?: string; certFile?: string; keyFile?: string } | null;
  /**
   * The deployer's Ed25519 public keys: documents and remote invokes must be signed by one of them. @default []
   * (anything is accepted unsigned, with a warning at start)
   */
  publicKeys: KeyObject[];
  /** Seconds between status reports. @default 30 */
  heartbeatSeconds: number;
  /** Answer remote invokes on `lambdalet.invoke.<device>`. @default true */
  invoke: boolean;
}

/** A device or group name: letters, digits, `_` and `-` (1-64), as it becomes one token of a NATS subject. */
export const FleetNameSchema = v.pipe(
  v.string("must be a string"),
  v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '_' or '-'"),
);

const FileSchema = v.pipe(v.string("must be a file path"), v.minLength(1, "must be a file path"));

const ServerSchema = v.pipe(
  v.string("must be a string"),
  v.regex(/^(nats|tls):\/\/[^\s/]+$/, "must be nats://host:port or tls://host:port"),
);

const PublicKeyText = v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"));

const FleetSchema = v.strictObject({
  url: v.union(
    [ServerSchema, v.pipe(v.array(ServerSchema), v.minLength(1, "must list at least one server"))],
    "must be nats://host:port or tls://host:port, or a list of them",
  ),
  device: FleetNameSchema,
  groups: v.pipe(
    v.array(FleetNameSchema, "must be a list of group names"),
    v.minLength(1, "must list at least one group"),
    v.check((groups) => new Set(groups).size === groups.length, "must not list a group twice"),
  ),
  credentials: v.optional(
    v.strictObject({
      user: v.optional(v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"))),
      password: v.optional(v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"))),
      passwordFile: v.optional(FileSchema),
      token: v.optional(v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"))),
      tokenFile: v.optional(FileSchema),
      nkeySeedFile: v.optional(FileSchema),
      credsFile: v.optional(FileSchema),
    }, (issue) => issue.expected === "never" ? "is not a member of fleet.credentials" : "must be an object"),
  ),
  tls: v.optional(
    v.strictObject({
      caFile: v.optional(FileSchema),
      certFile: v.optional(FileSchema),
      keyFile: v.optional(FileSchema),
    }, (issue) => issue.expected === "never" ? "is not a member of fleet.tls" : "must be an object"),
  ),
  publicKey: v.optional(
    v.union(
      [PublicKeyText, v.pipe(v.array(PublicKeyText), v.minLength(1, "must list at least one key"))],
      "must be a public key (PEM or one line) or a list of them",
    ),
  ),
  heartbeatSeconds: v.optional(
    v.pipe(
      v.number("must be a number"),
      v.integer("must be a whole number"),
      v.minValue(5, "must be ≥ 5"),
      v.maxValue(3600, "must be ≤ 3600"),
    ),
  ),
  invoke: v.optional(v.boolean("must be true or false")),
}, (issue) => issue.expected === "never" ? "is not a member of fleet" : "must be an object");

type FleetInput = v.InferOutput<typeof FleetSchema>;

/** The members whose values a message may show; the others (secrets, unknown members, objects) are hidden. */
const SHOWN_MEMBERS =
  /^(url(\.\d+)?|device|groups(\.\d+)?|heartbeatSeconds|invoke|tls\.\w+|credentials\.(user|passwordFile|tokenFile|nkeySeedFile|credsFile))$/;

/** The outcome of {@linkcode parseFleetOptions}: the options, or why they cannot be used (never quoting a secret). */
export type FleetOptionsParse = { ok: true; options: FleetOptions } | { ok: false; message: string };

class FleetOptionError extends Error {}

/**
 * Reads an Ed25519 public key from PEM text or the one-line base64 of its SPKI DER (what `lambdalet fleet keygen`
 * prints); throws when it is neither.
 */
export function parseEd25519PublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  // createPublicKey would take a private key's PEM and derive its public half: a device never holds the signer's key
  if (/PRIVATE KEY-----/.test(trimmed)) {
    throw new Error("is a private key: give the public key (the .pub file `lambdalet fleet keygen` writes)");
  }
  let key: KeyObject;
  try {
    key = trimmed.startsWith("-----")
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "spki" });
  } catch {
    throw new Error(
      "is not an Ed25519 public key (PEM, or the one-line key `lambdalet fleet keygen` prints)",
    );
  }
  if (key.asymmetricKeyType !== "ed25519") throw new Error("is not an Ed25519 public key");
  return key;
}

/** The first line of a secret file, or a refusal naming the member (never the content). */
function readSecret(member: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new FleetOptionError(
      `'fleet.credentials.${member}' cannot be read: ${error instanceof Error ? error.message : error}`,
    );
  }
  const secret = text.split("\n")[0]!.trim();
  if (!secret) throw new FleetOptionError(`'fleet.credentials.${member}' is empty: ${file}`);
  return secret;
}

/** Refuses a file the agent cannot read (checked now: the connection reads it later, away from the start). */
function readable(member: string, file: string): string {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new FleetOptionError(
      `'fleet.${member}' cannot be read: ${error instanceof Error ? error.message : error}`,
    );
  }
  return file;
}

function credentialsOf(input: FleetInput["credentials"]): FleetCredentialsOption {
  if (input === undefined) return null;
  const kinds = [
    input.user !== undefined || input.password !== undefined || input.passwordFile !== undefined
      ? "a user and password"
      : null,
    input.token !== undefined || input.tokenFile !== undefined ? "a token" : null,
    input.nkeySeedFile !== undefined ? "an nkey seed" : null,
    input.credsFile !== undefined ? "a creds file" : null,
  ].filter((kind) => kind !== null);
  if (kinds.length === 0) return null;
  if (kinds.length > 1) {
    throw new FleetOptionError(
      `'fleet.credentials' must name one way to authenticate (user with password or passwordFile; token or tokenFile; nkeySeedFile; credsFile): found ${
        kinds.join(" and ")
      }`,
    );
  }
  if (input.user !== undefined || input.password !== undefined || input.passwordFile !== undefined) {
    if (input.user === undefined) {
      throw new FleetOptionError("'fleet.credentials' needs 'user' with the password");
    }
    if ((input.password === undefined) === (input.passwordFile === undefined)) {
      throw new FleetOptionError("'fleet.credentials' needs exactly one of 'password' and 'passwordFile'");
    }
    return {
      user: input.user,
      password: input.password ?? readSecret("passwordFile", input.passwordFile!),
    };
  }
  if (input.token !== undefined || input.tokenFile !== undefined) {
    if (input.token !== undefined && input.tokenFile !== undefined) {
      throw new FleetOptionError("'fleet.credentials' needs exactly one of 'token' and 'tokenFile'");
    }
    return { token: input.token ?? readSecret("tokenFile", input.tokenFile!) };
  }
  if (input.nkeySeedFile !== undefined) {
    return { nkeySeedFile: readable("credentials.nkeySeedFile", input.nkeySeedFile) };
  }
  return { credsFile: readable("credentials.credsFile", input.credsFile!) };
}

function publicKeysOf(input: FleetInput["publicKey"]): KeyObject[] {
  if (input === undefined) return [];
  const texts = typeof input === "string" ? [input] : input;
  return texts.map((text, index) => {
    try {
      return parseEd25519PublicKey(text);
    } catch (error) {
      const where = typeof input === "string" ? "fleet.publicKey" : `fleet.publicKey.${index}`;
      throw new FleetOptionError(`'${where}' ${(error as Error).message}`);
    }
  });
}

/**
 * Validates the `fleet` member of the agent config, reading the password or token file it names. Messages name the
 * bad member as other settings do, but never show a password, a token or a member they do not know.
 */
export function parseFleetOptions(raw: unknown): FleetOptionsParse {
  const result = v.safeParse(FleetSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const member = issuePath(issue);
    const hidden = !SHOWN_MEMBERS.test(member) || issue.type === "strict_object";
    const message = formatIssues(result.issues, {
      style: "setting",
      subject: "fleet",
      ...(hidden ? { value: "(hidden)" } : {}),
    });
    return { ok: false, message: member ? `'fleet.${message.slice(1)}` : message };
  }
  const input = result.output;
  const tls = input.tls ?? null;
  try {
    if (tls && (tls.certFile === undefined) !== (tls.keyFile === undefined)) {
      throw new FleetOptionError("'fleet.tls' needs both 'certFile' and 'keyFile', or neither");
    }
    return {
      ok: true,
      options: {
        servers: typeof input.url === "string" ? [input.url] : input.url,
        device: input.device,
        groups: input.groups,
        credentials: credentialsOf(input.credentials),
        tls,
        publicKeys: publicKeysOf(input.publicKey),
        heartbeatSeconds: input.heartbeatSeconds ?? 30,
        invoke: input.invoke ?? true,
      },
    };
  } catch (error) {
    if (error instanceof FleetOptionError) return { ok: false, message: error.message };
    throw error;
  }
}
