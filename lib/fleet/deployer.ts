/**
 * @module The deployer's side of desired state: the buckets and the code store (it creates them), a deployment
 * document turned into a fleet document (each zip uploaded once, by SHA-256), and signed writes with compare-and-set.
 */
import { createHash, type KeyObject } from "node:crypto";
import { type KV, Kvm } from "@nats-io/kv";
import { type ObjectStore, Objm, setSha256Backend } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import * as v from "valibot";
import { DeploymentDocumentSchema } from "../config/mod.ts";
import {
  DESIRED_FORMAT,
  type DesiredPayload,
  DesiredPayloadError,
  documentDigest,
  parseDesiredPayload,
  type Rollout,
} from "./desired-document.ts";
import { MAX_ENVELOPE_BYTES, openEnvelope, sealEnvelope } from "./envelope.ts";
import { CODE_STORE, DESIRED_BUCKET, desiredKey, type DesiredKind, STATUS_BUCKET } from "./names.ts";

/** How many revisions of each desired key the hub keeps. */
export const DESIRED_HISTORY = 16;

/** The fleet's buckets and code store as the deployer holds them. */
export interface FleetStores {
  desired: KV;
  status: KV;
  code: ObjectStore;
}

/** Why a deployer operation failed: a bad document, a missing object, a lost compare-and-set. */
export class FleetDeployError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FleetDeployError";
  }
}

/** Another writer changed the key between its read and this write (compare-and-set lost). */
export class DesiredConflictError extends FleetDeployError {
  constructor(key: string, options?: ErrorOptions) {
    super(`${key} was changed by another writer meanwhile; read it again and retry`, options);
    this.name = "DesiredConflictError";
  }
}

/** Opens the buckets and the code store, creating them when missing (history 16 for desired, 1 for status). */
export async function openFleetStores(nc: NatsConnection): Promise<FleetStores> {
  setSha256Backend("native");
  const kvm = new Kvm(nc);
  const desired = await kvm.create(DESIRED_BUCKET, { history: DESIRED_HISTORY });
  const status = await kvm.create(STATUS_BUCKET, { history: 1 });
  const code = await new Objm(nc).create(CODE_STORE);
  return { desired, status, code };
}

/** A deployment document as the fleet holds it, and what uploading its code did. */
export interface FleetDocument {
  /** The document, each function's code as `{ Sha256 }`. */
  document: Record<string, unknown>;
  /** The hex SHA-256 of each zip uploaded now. */
  uploaded: string[];
  /** The hex SHA-256 of each zip the store already held. */
  reused: string[];
}

/**
 * Turns a deployment document (as `readDeploymentDocument` reads it: zips inline as base64 `ZipFile`) into a fleet
 * document: each zip is uploaded once to the code store under its hex SHA-256 (skipped when already there) and its
 * `Code` becomes `{ Sha256 }`. Code given by `Sha256` must already be in the store.
 */
export async function toFleetDocument(document: unknown, code: ObjectStore): Promise<FleetDocument> {
  const valid = v.safeParse(DeploymentDocumentSchema, document);
  if (!valid.success) {
    const issue = valid.issues[0];
    const where = issue.path?.map((item) => String(item.key)).join(".");
    throw new FleetDeployError(
      `The deployment document is not valid: ${where ? `${where}: ` : ""}${issue.message}`,
    );
  }
  const copy = structuredClone(document) as Record<string, unknown> & {
    functions: Record<string, unknown>[];
  };
  const uploaded: string[] = [];
  const reused: string[] = [];
  for (const fn of copy.functions) {
    const current = fn.Code as { ZipFile?: string; Sha256?: string } | undefined;
    if (!current) continue;
    if (typeof current.Sha256 === "string") {
      const info = await code.info(current.Sha256);
      if (!info || info.deleted) {
        throw new FleetDeployError(`The fleet's code store holds no zip ${current.Sha256} (Code.Sha256)`);
      }
      reused.push(current.Sha256);
      continue;
    }
    const bytes = new Uint8Array(Buffer.from(current.ZipFile ?? "", "base64"));
    const hex = createHash("sha256").update(bytes).digest("hex");
    fn.Code = { Sha256: hex };
    if (uploaded.includes(hex) || reused.includes(hex)) continue;
    const info = await code.info(hex);
    if (info && !info.deleted) {
      reused.push(hex);
      continue;
    }
    await code.putBlob({ name: hex }, bytes);
    uploaded.push(hex);
  }
  return { document: copy, uploaded, reused };
}

/** The JSON bytes of a desired-state payload (what is signed). */
export function desiredPayloadBytes(
  group: string,
  kind: DesiredKind,
  document: unknown,
  rollout: Rollout | null,
): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    format: DESIRED_FORMAT,
    group,
    key: kind,
    issuedAt: new Date().toISOString(),
    document,
    rollout,
  }));
}

/** A desired key as read back by the deployer, with its revision. */
export interface DesiredEntry {
  revision: number;
  /** When the hub stored it. */
  created: Date;
  payload: DesiredPayload;
}

/** Reads `group.<group>.<kind>` (null when absent or deleted); throws when what it holds does not parse. */
export async function readDesired(
  desired: KV,
  group: string,
  kind: DesiredKind,
): Promise<DesiredEntry | null> {
  const entry = await desired.get(desiredKey(group, kind));
  if (!entry || entry.operation !== "PUT") return null;
  // the deployer reads its own writes: the signature is the devices' business
  const opened = openEnvelope(entry.value, []);
  if (!opened.ok) throw new FleetDeployError(`${desiredKey(group, kind)}: ${opened.reason}`);
  try {
    return {
      revision: entry.revision,
      created: entry.created,
      payload: parseDesiredPayload(opened.payload, group, kind),
    };
  } catch (error) {
    if (error instanceof DesiredPayloadError) {
      throw new FleetDeployError(`${desiredKey(group, kind)}: ${error.message}`);
    }
    throw error;
  }
}

/** The revision of `group.<group>.<kind>` (0 when absent or deleted), whatever it holds. */
export async function desiredRevision(desired: KV, group: string, kind: DesiredKind): Promise<number> {
  const entry = await desired.get(desiredKey(group, kind));
  return entry && entry.operation === "PUT" ? entry.revision : 0;
}

/** What {@linkcode writeDesired} writes. */
export interface DesiredWrite {
  group: string;
  kind: DesiredKind;
  /** The fleet document (code by Sha256). */
  document: unknown;
  /** The rollout, exactly when `kind` is `rollout`. */
  rollout: Rollout | null;
  /** Signs the envelope; null leaves it unsigned. */
  signKey: KeyObject | null;
  /**
   * The revision the key must still have (compare-and-set); 0 = the key must be absent (or deleted). @default 0
   */
  expectedRevision?: number;
}

function isWrongSequence(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (
      (cause as { code?: unknown }).code === 10071 || /wrong last sequence|key exists/i.test(cause.message)
    ) {
      return true;
    }
  }
  return false;
}

/** Writes a sealed desired payload with compare-and-set; returns the new revision or throws a conflict. */
export async function writeDesired(desired: KV, write: DesiredWrite): Promise<number> {
  const key = desiredKey(write.group, write.kind);
  const bytes = sealEnvelope(
    desiredPayloadBytes(write.group, write.kind, write.document, write.rollout),
    write.signKey,
  );
  if (bytes.byteLength > MAX_ENVELOPE_BYTES) {
    throw new FleetDeployError(
      `The ${key} document is ${bytes.byteLength} bytes signed, past ${MAX_ENVELOPE_BYTES}: devices would refuse it`,
    );
  }
  const expected = write.expectedRevision ?? 0;
  try {
    return expected === 0 ? await desired.create(key, bytes) : await desired.update(key, bytes, expected);
  } catch (error) {
    if (isWrongSequence(error)) throw new DesiredConflictError(key, { cause: error });
    throw error;
  }
}

/** Deletes a desired key if it still has `revision` (a lost compare-and-set is a conflict). */
export async function deleteDesired(
  desired: KV,
  group: string,
  kind: DesiredKind,
  revision: number,
): Promise<void> {
  const key = desiredKey(group, kind);
  try {
    await desired.delete(key, { previousSeq: revision });
  } catch (error) {
    if (isWrongSequence(error)) throw new DesiredConflictError(key, { cause: error });
    throw error;
  }
}

/** What {@linkcode deployStable} takes. */
export interface StableDeployOptions {
  /** Signs the envelope. @default null */
  signKey?: KeyObject | null;
  /** Abort an IN_PROGRESS rollout of the group instead of refusing. @default false */
  force?: boolean;
}

/** What {@linkcode deployStable} did. */
export interface StableDeployed extends FleetDocument {
  revision: number;
  digest: string;
}

/**
 * Uploads a document's code and writes it as the group's stable document (compare-and-set against the revision read
 * just before). Refuses while a rollout of the group is IN_PROGRESS, unless `force`, which aborts it first.
 */
export async function deployStable(
  stores: FleetStores,
  group: string,
  document: unknown,
  options: StableDeployOptions = {},
): Promise<StableDeployed> {
  const signKey = options.signKey ?? null;
  const rollout = await readDesired(stores.desired, group, "rollout").catch(() => null);
  if (rollout?.payload.rollout?.state === "IN_PROGRESS") {
    if (!options.force) {
      throw new FleetDeployError(
        `A rollout (${rollout.payload.rollout.rolloutId}) of group ${group} is in progress; wait for it, or --force to abort it`,
      );
    }
    await writeDesired(stores.desired, {
      group,
      kind: "rollout",
      document: rollout.payload.rawDocument,
      rollout: { ...rollout.payload.rollout, state: "ABORTED", reason: "replaced by a forced deploy" },
      signKey,
      expectedRevision: rollout.revision,
    });
  }
  const fleet = await toFleetDocument(document, stores.code);
  const current = await desiredRevision(stores.desired, group, "stable");
  const revision = await writeDesired(stores.desired, {
    group,
    kind: "stable",
    document: fleet.document,
    rollout: null,
    signKey,
    expectedRevision: current,
  });
  return { ...fleet, revision, digest: documentDigest(fleet.document) };
}
