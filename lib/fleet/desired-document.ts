/**
 * @module What a group's key holds once its envelope is opened: the deployment document every member runs
 * (`stable`), or a rollout of a candidate document to the devices it has released so far (`rollout`).
 */
import { createHash } from "node:crypto";
import * as v from "valibot";
import { type DeploymentDocument, DeploymentDocumentSchema } from "../config/mod.ts";
import { type DesiredKind, FleetNameSchema } from "./names.ts";

/** The format tag of desired-state payloads. */
export const DESIRED_FORMAT = "lambdalet-fleet/1";

/** Where a rollout stands: devices released take its document while IN_PROGRESS; otherwise they run stable. */
export type RolloutState = "IN_PROGRESS" | "ABORTED" | "COMPLETED";

/** One step of a rollout: a share of the group's devices, or a count (the last step may say all). */
export const RolloutStepSchema = v.union([
  v.strictObject({ percent: v.pipe(v.number(), v.minValue(0.01), v.maxValue(100)) }),
  v.strictObject({ count: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
  v.strictObject({ all: v.literal(true) }),
]);

/** A rollout step. */
export type RolloutStep = v.InferOutput<typeof RolloutStepSchema>;

/** The abort criterion, as AWS IoT Jobs' `abortConfig.criteriaList[]` names it. */
export const AbortCriterionSchema = v.strictObject({
  failureType: v.picklist(["FAILED", "TIMED_OUT", "ALL"]),
  action: v.literal("CANCEL"),
  thresholdPercentage: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
  minNumberOfExecutedThings: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

/** A rollout's progress, written by the deployer (or `fleet controller`) with compare-and-set. */
export const RolloutSchema = v.strictObject({
  rolloutId: v.pipe(v.string(), v.minLength(1)),
  state: v.picklist(["IN_PROGRESS", "ABORTED", "COMPLETED"]),
  steps: v.pipe(v.array(RolloutStepSchema), v.minLength(1)),
  step: v.pipe(v.number(), v.integer(), v.minValue(0)),
  targets: v.array(FleetNameSchema),
  released: v.array(FleetNameSchema),
  abortConfig: v.strictObject({ criteriaList: v.array(AbortCriterionSchema) }),
  timeoutConfig: v.strictObject({ inProgressTimeoutInMinutes: v.pipe(v.number(), v.minValue(0.01)) }),
  reason: v.nullable(v.string()),
});

/** A rollout's progress. */
export type Rollout = v.InferOutput<typeof RolloutSchema>;

/** The payload of a desired-state key. */
export const DesiredPayloadSchema = v.strictObject({
  format: v.literal(DESIRED_FORMAT),
  group: FleetNameSchema,
  key: v.picklist(["stable", "rollout"]),
  issuedAt: v.string(),
  // code only by reference (the object store): a fleet document never carries zips inline
  document: v.pipe(
    v.unknown(),
    v.check(
      (document) =>
        typeof document === "object" && document !== null &&
        Array.isArray((document as { functions?: unknown }).functions),
      "must be a deployment document",
    ),
  ),
  rollout: v.nullable(RolloutSchema),
});

/** A desired-state payload, its document validated. */
export interface DesiredPayload {
  group: string;
  key: DesiredKind;
  issuedAt: string;
  document: DeploymentDocument;
  /** The document as it was written (what digests are taken of, and what is applied). */
  rawDocument: unknown;
  rollout: Rollout | null;
}

/** Why a payload is refused. */
export class DesiredPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DesiredPayloadError";
  }
}

/**
 * Parses the payload of `group.<group>.<kind>`: JSON, the format, the same group and kind as the key it was read
 * from (a signed document cannot be moved to another group or from a rollout to stable), a valid deployment
 * document whose code is all by SHA-256, and a rollout exactly when the key is a rollout's.
 */
export function parseDesiredPayload(bytes: Uint8Array, group: string, kind: DesiredKind): DesiredPayload {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new DesiredPayloadError("the document is not JSON");
  }
  const parsed = v.safeParse(DesiredPayloadSchema, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((item) => String(item.key)).join(".") ?? "";
    throw new DesiredPayloadError(
      `the document is not a lambdalet fleet document (${where}: ${issue.message})`,
    );
  }
  const payload = parsed.output;
  if (payload.group !== group || payload.key !== kind) {
    throw new DesiredPayloadError(
      `the document was written for group.${payload.group}.${payload.key}, not group.${group}.${kind}`,
    );
  }
  if ((kind === "rollout") !== (payload.rollout !== null)) {
    throw new DesiredPayloadError(
      kind === "rollout" ? "a rollout key holds no rollout" : "a stable key holds a rollout",
    );
  }
  const document = v.safeParse(DeploymentDocumentSchema, payload.document);
  if (!document.success) {
    throw new DesiredPayloadError(`the deployment document is not valid: ${document.issues[0].message}`);
  }
  for (const fn of document.output.functions) {
    if (fn.Code && !("Sha256" in fn.Code)) {
      const name = "FunctionName" in fn ? `function ${fn.FunctionName}` : "a Greengrass component";
      throw new DesiredPayloadError(`${name} carries its zip inline: fleet code is by Sha256`);
    }
  }
  return {
    group,
    key: kind,
    issuedAt: payload.issuedAt,
    document: document.output,
    rawDocument: payload.document,
    rollout: payload.rollout,
  };
}

/** The hex SHA-256 of a document as written: the same content has the same digest on every device. */
export function documentDigest(document: unknown): string {
  return createHash("sha256").update(JSON.stringify(document)).digest("hex");
}
