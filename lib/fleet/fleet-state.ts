/**
 * @module `<data-dir>/fleet-state.json` (0600, written atomically): per group the envelopes last accepted from the
 * hub, the refusals, and the last attempt to apply the merged state. The envelopes are opened and checked again at
 * load, so the file vouches for nothing by itself.
 */
import { chmodSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";

/** The file's name inside the data dir. */
export const FLEET_STATE_FILE = "fleet-state.json";

/** The format tag of the file. */
export const FLEET_STATE_FORMAT = "lambdalet-fleet-state/1";

/** How many refusals are kept (the newest). */
export const MAX_REFUSALS = 20;

const StoredEnvelopeSchema = v.strictObject({
  revision: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** The envelope's bytes, base64. */
  envelope: v.string(),
});

/** An accepted key's envelope, as kept. */
export type StoredEnvelope = v.InferOutput<typeof StoredEnvelopeSchema>;

const SelectionSchema = v.strictObject({
  key: v.picklist(["stable", "rollout"]),
  revision: v.number(),
  digest: v.string(),
});

const RefusalSchema = v.strictObject({
  group: v.string(),
  key: v.string(),
  revision: v.number(),
  reason: v.string(),
  keyId: v.nullable(v.string()),
  at: v.string(),
});

/** A refused entry of a group's key: why, and who signed it when that is known. */
export type Refusal = v.InferOutput<typeof RefusalSchema>;

const AttemptSchema = v.strictObject({
  /** The merged document's digest. */
  digest: v.string(),
  /** Per group, what the merged document took from it. */
  selections: v.record(v.string(), v.nullable(SelectionSchema)),
  /** The local deployment's id; null when it never got that far (a download failed). */
  deploymentId: v.nullable(v.string()),
  status: v.picklist(["DOWNLOADING", "IN_PROGRESS", "COMPLETED", "FAILED", "ROLLED_BACK"]),
  error: v.nullable(v.string()),
  finishedAt: v.nullable(v.string()),
});

/** The last attempt to apply the merged desired state. */
export type Attempt = v.InferOutput<typeof AttemptSchema>;

const FleetStateSchema = v.strictObject({
  format: v.literal(FLEET_STATE_FORMAT),
  device: v.string(),
  groups: v.record(
    v.string(),
    v.strictObject({ stable: v.nullable(StoredEnvelopeSchema), rollout: v.nullable(StoredEnvelopeSchema) }),
  ),
  refused: v.array(RefusalSchema),
  lastAttempt: v.nullable(AttemptSchema),
});

/** The file's content. */
export type FleetStateData = v.InferOutput<typeof FleetStateSchema>;

/** The state a device starts from when it has none (or another device's). */
export function emptyFleetState(device: string): FleetStateData {
  return { format: FLEET_STATE_FORMAT, device, groups: {}, refused: [], lastAttempt: null };
}

/** Reads and saves the fleet state file of a data dir. */
export class FleetStateFile {
  readonly #path: string;

  constructor(dataDir: string) {
    this.#path = join(dataDir, FLEET_STATE_FILE);
  }

  /** The file's path. */
  get path(): string {
    return this.#path;
  }

  /**
   * The saved state of `device`; an empty one when there is no file, it is not valid, or it is another device's
   * (`warn` is told why in the last two cases).
   */
  load(device: string, warn: (line: string) => void = () => {}): FleetStateData {
    let text: string;
    try {
      text = readFileSync(this.#path, "utf8");
    } catch {
      return emptyFleetState(device);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      warn(`lambdalet: fleet: ${this.#path} is not JSON: starting from an empty fleet state`);
      return emptyFleetState(device);
    }
    const parsed = v.safeParse(FleetStateSchema, raw);
    if (!parsed.success) {
      warn(`lambdalet: fleet: ${this.#path} is not a fleet state file: starting from an empty fleet state`);
      return emptyFleetState(device);
    }
    if (parsed.output.device !== device) {
      warn(
        `lambdalet: fleet: ${this.#path} is device ${parsed.output.device}'s: starting from an empty fleet state`,
      );
      return emptyFleetState(device);
    }
    return parsed.output as FleetStateData;
  }

  /** Writes `state` whole: to a temporary file (0600), then renamed over the file. */
  save(state: FleetStateData): void {
    const temp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.#path);
  }
}
