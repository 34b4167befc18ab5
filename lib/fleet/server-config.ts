/**
 * @module The fleet's side of a stock nats-server's configuration (2.9 syntax): each device's permissions — watch
 * its groups' keys, write its own status key, read code, answer its own invokes — and a whole sample config.
 */
import {
  CODE_STORE,
  DESIRED_BUCKET,
  groupKeys,
  inboxPrefix,
  invokeSubject,
  STATUS_BUCKET,
  statusKey,
} from "./names.ts";

/** What a device may publish and subscribe to on the hub. */
export interface DevicePermissions {
  publish: string[];
  subscribe: string[];
}

/** How a device logs in to the hub. */
export type DeviceLogin = { nkey: string } | { user: string; password: string };

/** One device of the sample config. */
export interface DeviceEntry {
  device: string;
  groups: readonly string[];
  /** Its nkey public key (`U…`) or a user and password; null renders a placeholder password to replace. */
  login: DeviceLogin | null;
}

/** The whole sample config. */
export interface ServerConfigOptions {
  /** `host:port` to listen on. @default "0.0.0.0:4222" */
  listen?: string;
  /** The largest message (Lambda's 6 MB payloads need more than the 1 MB default). @default "8MB" */
  maxPayload?: string;
  /** JetStream's store directory. @default "/var/lib/nats" */
  storeDir?: string;
  /** The hub's TLS files; null for none. @default null */
  tls?: { certFile: string; keyFile: string; caFile?: string } | null;
  /** The deployer's login: it may do everything in the account. */
  deployer: { user: string; password: string };
  /** The devices. */
  devices: readonly DeviceEntry[];
}

/** What `device` (a member of `groups`) may publish and subscribe to. */
export function devicePermissions(device: string, groups: readonly string[]): DevicePermissions {
  return {
    publish: [
      "$JS.API.INFO",
      `$JS.API.STREAM.INFO.KV_${DESIRED_BUCKET}`,
      `$JS.API.STREAM.INFO.KV_${STATUS_BUCKET}`,
      `$JS.API.STREAM.INFO.OBJ_${CODE_STORE}`,
      // one watch per group: the create subject carries the filter, so another group or a wider filter is refused
      ...groups.map((group) =>
        `$JS.API.CONSUMER.CREATE.KV_${DESIRED_BUCKET}.*.$KV.${DESIRED_BUCKET}.${groupKeys(group)}`
      ),
      `$KV.${STATUS_BUCKET}.${statusKey(device)}`,
      `$JS.API.STREAM.MSG.GET.OBJ_${CODE_STORE}`,
      `$JS.API.DIRECT.GET.OBJ_${CODE_STORE}.>`,
      `$JS.API.CONSUMER.CREATE.OBJ_${CODE_STORE}.*.$O.${CODE_STORE}.C.*`,
    ],
    subscribe: [`${inboxPrefix(device)}.>`, invokeSubject(device)],
  };
}

function quoted(text: string): string {
  return JSON.stringify(text);
}

function list(items: readonly string[], indent: string): string {
  return `[\n${items.map((item) => `${indent}  ${quoted(item)}`).join("\n")}\n${indent}]`;
}

/** A device's entry of an account's `users` list, indented by `indent`. */
export function renderDeviceUser(entry: DeviceEntry, indent = ""): string {
  const permissions = devicePermissions(entry.device, entry.groups);
  const login = entry.login === null
    // a valid placeholder (`nats-server -t` passes): better replaced by `nkey: "U…"` from `nk -gen user -pubout`
    ? `user: ${quoted(entry.device)}, password: ${quoted("CHANGE-ME")} # or nkey: "U…" (nk -gen user -pubout)`
    : "nkey" in entry.login
    ? `nkey: ${quoted(entry.login.nkey)}`
    : `user: ${quoted(entry.login.user)}, password: ${quoted(entry.login.password)}`;
  const inner = `${indent}  `;
  return [
    `${indent}# device ${entry.device}, groups ${entry.groups.join(", ")}`,
    `${indent}{`,
    `${inner}${login}`,
    `${inner}permissions: {`,
    `${inner}  publish: { allow: ${list(permissions.publish, `${inner}  `)} }`,
    `${inner}  subscribe: { allow: ${list(permissions.subscribe, `${inner}  `)} }`,
    `${inner}  # replies to invokes and JetStream flow control`,
    `${inner}  allow_responses: true`,
    `${inner}}`,
    `${indent}}`,
  ].join("\n");
}

/** A whole nats-server config: one account with JetStream, the deployer and one user per device. */
export function renderServerConfig(options: ServerConfigOptions): string {
  const tls = options.tls ?? null;
  const lines = [
    `listen: ${quoted(options.listen ?? "0.0.0.0:4222")}`,
    `max_payload: ${options.maxPayload ?? "8MB"}`,
  ];
  if (tls) {
    lines.push(
      `tls { cert_file: ${quoted(tls.certFile)}, key_file: ${quoted(tls.keyFile)}${
        tls.caFile ? `, ca_file: ${quoted(tls.caFile)}` : ""
      } }`,
    );
  }
  lines.push(
    `jetstream { store_dir: ${quoted(options.storeDir ?? "/var/lib/nats")} }`,
    "accounts {",
    "  FLEET {",
    "    jetstream: enabled",
    "    users: [",
    "      # the deployer (the CLI and `lambdalet fleet controller`): everything in the account",
    `      { user: ${quoted(options.deployer.user)}, password: ${quoted(options.deployer.password)} }`,
    ...options.devices.map((entry) => renderDeviceUser(entry, "      ")),
    "    ]",
    "  }",
    "}",
    "",
  );
  return lines.join("\n");
}
