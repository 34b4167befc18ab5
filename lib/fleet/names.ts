/**
 * @module The names a fleet shares on its NATS hub: the key-value buckets, their keys, the object store of code, and
 * the subjects of remote invokes; device and group names are subject tokens.
 */
/** A device or group name: letters, digits, `_` and `-` (1-64), as it becomes one token of a NATS subject. */
export { FleetNameSchema } from "../config/mod.ts";

/** The key-value bucket of desired state: each group's stable document and its rollout. */
export const DESIRED_BUCKET = "lambdalet-desired";

/** The key-value bucket of devices' reported state, one key per device. */
export const STATUS_BUCKET = "lambdalet-status";

/** The object store of code zips, each named by the hex SHA-256 of its bytes (uploaded once). */
export const CODE_STORE = "lambdalet-code";

/** What a group's key in {@linkcode DESIRED_BUCKET} holds: the document every member runs, or a rollout of another. */
export type DesiredKind = "stable" | "rollout";

/** The key of a group's stable document or rollout in {@linkcode DESIRED_BUCKET}. */
export function desiredKey(group: string, kind: DesiredKind): string {
  return `group.${group}.${kind}`;
}

/** The key filter that sees both of a group's keys. */
export function groupKeys(group: string): string {
  return `group.${group}.*`;
}

/** Reads `group.<group>.<kind>` back, or null for any other key. */
export function parseDesiredKey(key: string): { group: string; kind: DesiredKind } | null {
  const match = /^group\.([A-Za-z0-9_-]{1,64})\.(stable|rollout)$/.exec(key);
  return match ? { group: match[1]!, kind: match[2] as DesiredKind } : null;
}

/** A device's key in {@linkcode STATUS_BUCKET}. */
export function statusKey(device: string): string {
  return `device.${device}`;
}

/** The subject a device answers remote invokes on. */
export function invokeSubject(device: string): string {
  return `lambdalet.invoke.${device}`;
}

/** The inbox prefix of a device's connection: its permissions allow it to subscribe to its own inboxes only. */
export function inboxPrefix(device: string): string {
  return `_INBOX_${device}`;
}
