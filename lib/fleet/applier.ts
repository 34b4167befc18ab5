/**
 * @module Applies the device's merged desired state through the deployment engine, one attempt at a time: changes
 * arriving meanwhile are coalesced into the next attempt, and a merged state equal to the last attempt's is not
 * applied again (a failed one waits for the desired state to change, as Greengrass does).
 */
import type { CodeLease } from "../code/mod.ts";
import type { DeploymentDocument } from "../config/mod.ts";
import type { DeployOptions } from "../functions/mod.ts";
import type { DeploymentRecord } from "../store/mod.ts";
import type { Attempt } from "./fleet-state.ts";
import type { MergedDesired } from "./selection.ts";

/** What the applier works with. */
export interface ApplierDeps {
  /** The agent's deployment engine. */
  deploy(document: DeploymentDocument, options: DeployOptions): Promise<DeploymentRecord>;
  /** A lease on code, held from download until the deployment's record names it. */
  lease(): CodeLease;
  /** Brings the code the document names that the device lacks (held by `lease`). */
  fetchCode(document: DeploymentDocument, lease: CodeLease): Promise<number>;
  /** The last finished attempt, as saved. */
  lastAttempt(): Attempt | null;
  /** Saves a finished attempt (or the same one with the selections of a new equal merged state). */
  saveAttempt(attempt: Attempt): void;
  /** Told each time the attempt under way or the last one changed (status is written then). */
  onChange(): void;
  /** Lines for the agent's log. */
  warn(line: string): void;
}

/** Applies merged desired states one at a time. */
export class Applier {
  readonly #deps: ApplierDeps;
  #wanted: MergedDesired | null = null;
  #current: Attempt | null = null;
  #retry = false;
  #running: Promise<void> | null = null;
  #stopped = false;
  /** Digests attempted by this run: one whose code never reached the engine is tried once more per run. */
  readonly #tried = new Set<string>();

  constructor(deps: ApplierDeps) {
    this.#deps = deps;
  }

  /** The attempt under way, or null. */
  get current(): Attempt | null {
    return this.#current;
  }

  /** Asks for `merged` to be applied (after the attempt under way; only the newest asked for counts). */
  want(merged: MergedDesired): void {
    if (this.#stopped) return;
    this.#wanted = merged;
    this.#kick();
  }

  /** Tries the last merged state again when its code could not be downloaded (the hub came back). */
  retryDownload(merged: MergedDesired): void {
    const last = this.#deps.lastAttempt();
    if (last?.status !== "FAILED" || last.deploymentId !== null) return;
    this.#retry = true;
    this.want(merged);
  }

  /** Takes no more work; the attempt under way goes on (see {@linkcode idle}). */
  stop(): void {
    this.#stopped = true;
    this.#wanted = null;
  }

  /** Resolves once no attempt is under way or asked for. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  async #loop(): Promise<void> {
    while (this.#wanted) {
      const merged = this.#wanted;
      this.#wanted = null;
      const retry = this.#retry;
      this.#retry = false;
      try {
        await this.#attempt(merged, retry);
      } catch (error) {
        this.#deps.warn(`lambdalet: fleet: applying the desired state failed: ${describe(error)}`);
      }
    }
  }

  async #attempt(merged: MergedDesired, retry: boolean): Promise<void> {
    const last = this.#deps.lastAttempt();
    if (last === null && merged.functionCount === 0) return; // nothing was ever applied, nothing is wanted
    // an attempt that never reached the engine (its download failed, the agent stopping) gets a new try per run
    const settled = last?.deploymentId !== null || this.#tried.has(merged.digest);
    if (last && last.digest === merged.digest && settled && !retry) {
      // the same content (a completed rollout written as stable, say): nothing to apply, the new keys reported
      if (JSON.stringify(last.selections) !== JSON.stringify(merged.selections)) {
        this.#deps.saveAttempt({ ...last, selections: merged.selections });
        this.#deps.onChange();
      }
      return;
    }
    const attempt: Attempt = {
      digest: merged.digest,
      selections: merged.selections,
      deploymentId: null,
      status: "DOWNLOADING",
      error: null,
      finishedAt: null,
    };
    this.#tried.add(merged.digest);
    this.#current = attempt;
    this.#deps.onChange();
    const lease = this.#deps.lease();
    try {
      await this.#deps.fetchCode(merged.document, lease);
      attempt.status = "IN_PROGRESS";
      this.#deps.onChange();
      const record = await this.#deps.deploy(merged.document, {
        origin: "fleet",
        onRecorded: (recorded) => {
          attempt.deploymentId = recorded.id;
          this.#deps.onChange();
        },
      });
      attempt.deploymentId = record.id;
      attempt.status = record.status === "IN_PROGRESS" ? "FAILED" : record.status;
      attempt.error = record.error;
    } catch (error) {
      attempt.status = "FAILED";
      attempt.error = describe(error);
    } finally {
      lease.release();
    }
    attempt.finishedAt = new Date().toISOString();
    if (attempt.status !== "COMPLETED") {
      this.#deps.warn(
        `lambdalet: fleet: the desired state ${
          merged.digest.slice(0, 12)
        } was not applied (${attempt.status}): ${attempt.error}`,
      );
    }
    this.#deps.saveAttempt({ ...attempt });
    this.#current = null;
    this.#deps.onChange();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
