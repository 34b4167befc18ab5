/**
 * @module What devices report in the status bucket, read by the deployer: every `device.*` key, filtered by group,
 * marked stale once silent past a timeout, rendered as a table or JSON.
 */
import type { KV, KvEntry } from "@nats-io/kv";
import * as v from "valibot";

/** A device is stale after three missed heartbeats of 30 s. */
export const DEFAULT_STALE_AFTER_MS = 90_000;

const Text = v.optional(v.nullable(v.string()), null);

/** A device's status as the deployer reads it: forgiving, so that one odd device does not hide the others. */
export const DeviceStatusSchema = v.looseObject({
  device: v.string(),
  groups: v.optional(v.array(v.string()), []),
  agentVersion: Text,
  isolation: Text,
  desired: v.optional(
    v.record(
      v.string(),
      v.nullable(
        v.looseObject({ key: Text, revision: v.optional(v.nullable(v.number()), null), digest: Text }),
      ),
    ),
    {},
  ),
  deployment: v.optional(
    v.nullable(v.looseObject({ digest: Text, id: Text, status: Text, error: Text, finishedAt: Text })),
    null,
  ),
  functions: v.optional(
    v.record(v.string(), v.looseObject({ version: Text, codeSha256: Text, state: Text, lastError: Text })),
    {},
  ),
  refused: v.optional(
    v.array(
      v.looseObject({
        group: Text,
        key: Text,
        revision: v.optional(v.nullable(v.number()), null),
        reason: Text,
        keyId: Text,
      }),
    ),
    [],
  ),
  reportedAt: Text,
});

/** A device's status. */
export type DeviceStatus = v.InferOutput<typeof DeviceStatusSchema>;

/** One device's entry of the status bucket. */
export interface DeviceStatusEntry {
  device: string;
  /** What it reported; null when the value does not read (then `error` says why). */
  status: DeviceStatus | null;
  error: string | null;
  /** When the hub stored it (the hub's clock, not the device's). */
  lastSeen: Date;
  revision: number;
  stale: boolean;
}

/** Reads one status entry (key `device.<id>`); null for a deleted key or another key. */
export function statusEntryOf(entry: KvEntry, now: number, staleAfterMs: number): DeviceStatusEntry | null {
  const match = /^device\.(.+)$/.exec(entry.key);
  if (!match || entry.operation !== "PUT") return null;
  let status: DeviceStatus | null = null;
  let error: string | null = null;
  try {
    const parsed = v.safeParse(DeviceStatusSchema, JSON.parse(new TextDecoder().decode(entry.value)));
    if (parsed.success) status = parsed.output;
    else error = `unreadable status: ${parsed.issues[0].message}`;
  } catch {
    error = "unreadable status: not JSON";
  }
  return {
    device: match[1]!,
    status,
    error,
    lastSeen: entry.created,
    revision: entry.revision,
    stale: now - entry.created.getTime() > staleAfterMs,
  };
}

/** What {@linkcode readStatuses} takes. */
export interface ReadStatusOptions {
  /** Only devices reporting this group. @default null (all) */
  group?: string | null;
  /** Silent longer than this is stale. @default DEFAULT_STALE_AFTER_MS */
  staleAfterMs?: number;
  /** How long one listing of the keys may take before it is made again (3 at most). @default 5 s */
  listTimeoutMs?: number;
}

/** How long one listing of the status keys may take before it is made again. */
const LIST_TIMEOUT_MS = 5_000;
/** Listings made before giving up. */
const LIST_ATTEMPTS = 3;

/**
 * The `device.*` keys of the status bucket. A listing is an ordered consumer of the hub's, which can stall on a
 * loaded hub and then never end: one that takes longer than `timeoutMs` is stopped and made again, and after
 * {@linkcode LIST_ATTEMPTS} such listings the reading fails with a message (seen: a deployer hanging for good after
 * a rollout had completed, with both cores of the hub's host busy).
 */
async function deviceKeys(status: KV, timeoutMs: number): Promise<string[]> {
  for (let attempt = 1;; attempt++) {
    const listing = await status.keys("device.*");
    const keys: string[] = [];
    const listed = (async () => {
      for await (const key of listing) keys.push(key);
      return true;
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      listed,
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (ended) return keys;
    listing.stop();
    listed.catch(() => {});
    if (attempt >= LIST_ATTEMPTS) {
      throw new Error(
        `Cannot list the devices' statuses: the hub did not finish a listing within ${timeoutMs} ms, ${LIST_ATTEMPTS} times`,
      );
    }
  }
}

/** Reads every device's status, sorted by device; filtered by the group its status lists. */
export async function readStatuses(
  status: KV,
  options: ReadStatusOptions = {},
): Promise<DeviceStatusEntry[]> {
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const keys = await deviceKeys(status, options.listTimeoutMs ?? LIST_TIMEOUT_MS);
  const now = Date.now();
  const entries: DeviceStatusEntry[] = [];
  for (const key of keys) {
    const entry = await status.get(key);
    const read = entry ? statusEntryOf(entry, now, staleAfterMs) : null;
    if (!read) continue;
    if (options.group && !(read.status?.groups ?? []).includes(options.group)) continue;
    entries.push(read);
  }
  return entries.sort((a, b) => a.device < b.device ? -1 : a.device > b.device ? 1 : 0);
}

function ago(lastSeen: Date, now: number): string {
  const seconds = Math.max(0, Math.round((now - lastSeen.getTime()) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes}m ago` : `${Math.round(minutes / 60)}h ago`;
}

/** One table row of an entry. */
export function statusRow(entry: DeviceStatusEntry, now = Date.now()): Record<string, string> {
  const status = entry.status;
  const functions = Object.values(status?.functions ?? {});
  const ok = functions.filter((fn) => fn.state === "STARTED" || fn.state === "APPLIED").length;
  const desired = Object.entries(status?.desired ?? {}).map(([group, item]) =>
    item ? `${group}:${item.key ?? "?"}@${item.revision ?? "?"}` : `${group}:-`
  );
  const refused = (status?.refused ?? []).map((item) =>
    `${item.group ?? "?"}:${item.key ?? "?"}@${item.revision ?? "?"}`
  );
  const deployment = status?.deployment;
  return {
    DEVICE: entry.device,
    GROUPS: (status?.groups ?? []).join(",") || "-",
    DESIRED: desired.join(" ") || "-",
    DEPLOYMENT: entry.error ?? (deployment?.status ?? "-"),
    FUNCTIONS: `${ok}/${functions.length}`,
    REFUSED: refused.join(" ") || "-",
    AGENT: status?.agentVersion ?? "-",
    ISOLATION: status?.isolation ?? "-",
    "LAST SEEN": entry.stale ? `STALE (${ago(entry.lastSeen, now)})` : ago(entry.lastSeen, now),
  };
}

/** The status table: a header and one row per device, columns padded. */
export function renderStatusTable(entries: readonly DeviceStatusEntry[], now = Date.now()): string {
  const columns = [
    "DEVICE",
    "GROUPS",
    "DESIRED",
    "DEPLOYMENT",
    "FUNCTIONS",
    "REFUSED",
    "AGENT",
    "ISOLATION",
    "LAST SEEN",
  ];
  const rows = [columns, ...entries.map((entry) => columns.map((column) => statusRow(entry, now)[column]!))];
  const widths = columns.map((_, index) => Math.max(...rows.map((row) => row[index]!.length)));
  return rows.map((row) => row.map((text, index) => text.padEnd(widths[index]!)).join("  ").trimEnd()).join(
    "\n",
  );
}

/** The JSON form: each device's status as reported, with when it was last seen and whether it is stale. */
export function statusJson(entries: readonly DeviceStatusEntry[]): unknown[] {
  return entries.map((entry) => ({
    device: entry.device,
    lastSeen: entry.lastSeen.toISOString(),
    stale: entry.stale,
    revision: entry.revision,
    ...(entry.error ? { error: entry.error } : {}),
    status: entry.status,
  }));
}
