/**
 * @module A rollout's key moved on by its controller, every write compare-and-set so that two controllers cannot both
 * advance it: the next step or the abort, and after the last step the candidate made the group's stable document.
 */
import type { KeyObject } from "node:crypto";
import type { KV } from "@nats-io/kv";
import type { Rollout } from "./desired-document.ts";
import {
  deleteDesired,
  DesiredConflictError,
  type DesiredEntry,
  desiredRevision,
  readDesired,
  writeDesired,
} from "./deployer.ts";

/** What {@linkcode RolloutRecord} takes. */
export interface RolloutRecordOptions {
  /** Signs what it writes (the devices may require it). */
  signKey: KeyObject | null;
  /** Progress lines. */
  log: (line: string) => void;
}

/** The rollout keys of the desired bucket, as a controller moves them on. */
export class RolloutRecord {
  readonly #desired: KV;
  readonly #signKey: KeyObject | null;
  readonly #log: (line: string) => void;

  constructor(desired: KV, options: RolloutRecordOptions) {
    this.#desired = desired;
    this.#signKey = options.signKey;
    this.#log = options.log;
  }

  /** Writes `next` over `current` (compare-and-set); on a conflict, what the winner wrote. */
  async advance(group: string, current: DesiredEntry, next: Rollout): Promise<DesiredEntry | null> {
    try {
      await writeDesired(this.#desired, {
        group,
        kind: "rollout",
        document: current.payload.rawDocument,
        rollout: next,
        signKey: this.#signKey,
        expectedRevision: current.revision,
      });
      this.#log(
        next.state === "ABORTED"
          ? `Rollout ${next.rolloutId} of group ${group} ABORTED: ${next.reason}`
          : `Rollout ${next.rolloutId} of group ${group}: step ${next.step + 1} releases ${
            next.released.join(", ") || "none"
          }`,
      );
    } catch (error) {
      if (!(error instanceof DesiredConflictError)) throw error;
    }
    return await readDesired(this.#desired, group, "rollout");
  }

  /** The group's rollout entry: `current` while its revision is unchanged, else read again. */
  async reread(group: string, current: DesiredEntry): Promise<DesiredEntry | null> {
    const revision = await desiredRevision(this.#desired, group, "rollout");
    return revision === current.revision ? current : await readDesired(this.#desired, group, "rollout");
  }

  /** The last step done: the candidate becomes stable, then the rollout is COMPLETED and its key deleted. */
  async complete(group: string, current: DesiredEntry, rollout: Rollout): Promise<DesiredEntry | null> {
    const desired = this.#desired;
    for (let attempt = 0;; attempt += 1) {
      try {
        await writeDesired(desired, {
          group,
          kind: "stable",
          document: current.payload.rawDocument,
          rollout: null,
          signKey: this.#signKey,
          expectedRevision: await desiredRevision(desired, group, "stable"),
        });
        break;
      } catch (error) {
        if (!(error instanceof DesiredConflictError) || attempt >= 2) throw error;
      }
    }
    try {
      const revision = await writeDesired(desired, {
        group,
        kind: "rollout",
        document: current.payload.rawDocument,
        rollout: { ...rollout, state: "COMPLETED" },
        signKey: this.#signKey,
        expectedRevision: current.revision,
      });
      await deleteDesired(desired, group, "rollout", revision);
      this.#log(
        `Rollout ${rollout.rolloutId} of group ${group} COMPLETED: the candidate is the stable document`,
      );
      return null;
    } catch (error) {
      if (!(error instanceof DesiredConflictError)) throw error;
      return await readDesired(desired, group, "rollout");
    }
  }
}
