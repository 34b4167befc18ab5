/**
 * @module What a device runs of its groups' desired state: per group its stable document or, once the device is
 * released, a rollout's candidate; merged in the order of `fleet.groups` (a later group wins a shared function).
 */
import { type DeploymentDocument, DeploymentDocumentSchema } from "../config/mod.ts";
import * as v from "valibot";
import { type DesiredPayload, documentDigest } from "./desired-document.ts";
import type { DesiredKind } from "./names.ts";

/** A desired-state payload the device accepted, with the revision of its key and its document's digest. */
export interface AcceptedPayload {
  /** The key's revision (the stream sequence) it was read at. */
  revision: number;
  /** The parsed payload. */
  payload: DesiredPayload;
  /** {@linkcode documentDigest} of its document as written. */
  digest: string;
}

/** What a group's keys hold for this device: the last accepted stable payload and rollout, each or none. */
export interface GroupDesired {
  stable: AcceptedPayload | null;
  rollout: AcceptedPayload | null;
}

/** The key a group's document was taken from, as status reports it. */
export interface GroupSelection {
  /** `stable`, or `rollout` while this device is released in a rollout under way. */
  key: DesiredKind;
  /** That key's revision. */
  revision: number;
  /** The document's digest. */
  digest: string;
}

/** The merged desired state of a device. */
export interface MergedDesired {
  /** The document to apply. */
  document: DeploymentDocument;
  /** {@linkcode documentDigest} of the merged document as written: equal content, equal digest. */
  digest: string;
  /** Per group of `fleet.groups`, what it contributed (null: nothing). */
  selections: Record<string, GroupSelection | null>;
  /** How many functions the merged document names. */
  functionCount: number;
}

/**
 * The document a group contributes: its rollout's candidate while the rollout is IN_PROGRESS and has released this
 * device, else its stable document; null when it has neither.
 */
export function selectGroup(desired: GroupDesired | undefined, device: string): AcceptedPayload | null {
  const rollout = desired?.rollout?.payload.rollout;
  if (desired?.rollout && rollout?.state === "IN_PROGRESS" && rollout.released.includes(device)) {
    return desired.rollout;
  }
  return desired?.stable ?? null;
}

/** A function entry's name before it is mapped: Greengrass components keep a name of their own (never merged). */
function entryName(entry: unknown, group: string, index: number): string {
  if (typeof entry === "object" && entry !== null && "FunctionName" in entry) {
    return `function:${String((entry as { FunctionName: unknown }).FunctionName)}`;
  }
  return `component:${group}:${index}`;
}

/**
 * Merges the documents the groups contribute, in `groups` order: the union of their functions, a function named by
 * several groups taking the entry of the group listed last; `ROLLBACK` when any contributing document asks for it.
 */
export function mergeDesired(
  groups: readonly string[],
  desired: ReadonlyMap<string, GroupDesired>,
  device: string,
): MergedDesired {
  const selections: Record<string, GroupSelection | null> = {};
  const entries = new Map<string, unknown>();
  let rollback = false;
  for (const group of groups) {
    const chosen = selectGroup(desired.get(group), device);
    selections[group] = chosen && {
      key: chosen.payload.key,
      revision: chosen.revision,
      digest: chosen.digest,
    };
    if (!chosen) continue;
    if (chosen.payload.document.failureHandlingPolicy === "ROLLBACK") rollback = true;
    const raw = (chosen.payload.rawDocument as { functions: unknown[] }).functions;
    raw.forEach((entry, index) => {
      const name = entryName(entry, group, index);
      entries.delete(name); // the later group's entry takes the later place
      entries.set(name, entry);
    });
  }
  const raw = {
    failureHandlingPolicy: rollback || entries.size === 0 ? "ROLLBACK" : "DO_NOTHING",
    functions: [...entries.values()],
  };
  // each entry was valid in its own document; together they name each function once
  const document = v.parse(DeploymentDocumentSchema, raw);
  return { document, digest: documentDigest(raw), selections, functionCount: entries.size };
}
