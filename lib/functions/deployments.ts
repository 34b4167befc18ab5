/** @module Deployments: a whole set of functions applied together, verified, and rolled back on failure. */
import type { CodeLease } from "../code/mod.ts";
import {
  configFromCreate,
  type DeploymentDocument,
  type DeploymentFunction,
  type GreengrassImportInput,
  lambdaTimestamp,
} from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import {
  type DeployedFunction,
  type DeploymentOrigin,
  type DeploymentRecord,
  type DeploymentStatus,
  LATEST,
} from "../store/mod.ts";
import { storeZip } from "./code-upload.ts";
import type { PartDeps } from "./deps.ts";
import { mapGreengrassImport } from "./greengrass-import.ts";
import { functionChanged } from "./pinned.ts";
import { checkRouteConflicts, latestConfigs } from "./route-conflicts.ts";
import { checkRunnable } from "./runnable-check.ts";

/** What a deployment wants of each function it names: its `$LATEST` and tags, or null for its removal. */
export type DesiredState = Record<string, DeployedFunction | null>;

/** Options of {@linkcode Deployments}. */
export interface DeploymentsOptions {
  /** Told of each deployment as it ends (completed, failed or rolled back), for the agent's log. @default none */
  onFinished?(record: DeploymentRecord): void;
}

/** Options of one {@linkcode Deployments.deploy}. */
export interface DeployOptions {
  /** Told once the deployment is recorded (its id known, its code stored), before its functions are written. */
  onRecorded?(record: DeploymentRecord & { warnings: string[] }): void;
  /**
   * Who asks: a deployment removes only the functions that the latest completed deployment of the same origin set,
   * so that the fleet's deployments and local ones (`lambdalet deploy`) never remove each other's. @default "local"
   */
  origin?: DeploymentOrigin;
}

/** Applies deployments one at a time, keeps their records, and returns to the state before the last one. */
export class Deployments {
  readonly #deps: PartDeps;
  readonly #options: DeploymentsOptions;
  #running: Promise<unknown> = Promise.resolve();

  constructor(deps: PartDeps, options: DeploymentsOptions = {}) {
    this.#deps = deps;
    this.#options = options;
  }

  /**
   * Applies a deployment document: its functions, and the removal of those the last deployment had and it has not.
   * Greengrass components in it set their function's `$LATEST`; what they say that is not applied is in `warnings`.
   */
  async deploy(
    document: DeploymentDocument,
    options: DeployOptions = {},
  ): Promise<DeploymentRecord & { warnings: string[] }> {
    const lease = this.#deps.code.lease();
    const warnings: string[] = [];
    const onRecorded = options.onRecorded;
    const origin = options.origin ?? "local";
    try {
      const record = await this.apply(
        () => this.#desiredState(document, lease, warnings, origin),
        document.failureHandlingPolicy,
        onRecorded && ((recorded) => onRecorded({ ...recorded, warnings })),
        origin,
      );
      return { ...record, warnings };
    } finally {
      lease.release();
    }
  }

  /** Returns to the state before the latest completed deployment, as a deployment of its own. */
  async rollback(): Promise<DeploymentRecord> {
    const last = this.#deps.store.deployments.latestCompleted();
    if (!last) {
      throw new LambdaError("ResourceNotFoundException", "There is no completed deployment to roll back");
    }
    // recorded as its own origin's: the next deployment of that origin removes what the rollback set
    return await this.apply(
      last.previous,
      "ROLLBACK",
      undefined,
      this.#deps.store.deployments.originOf(last.id) ?? "local",
    );
  }

  /** One deployment's record. */
  get(id: string): DeploymentRecord {
    const record = this.#deps.store.deployments.get(id);
    if (!record) throw new LambdaError("ResourceNotFoundException", `Deployment not found: ${id}`);
    return record;
  }

  /** Every deployment, newest first. */
  list(): DeploymentRecord[] {
    return this.#deps.store.deployments.list();
  }

  /**
   * Applies `want` as one deployment: records it, writes it in one transaction, starts and checks the pinned
   * workers; on failure returns to the previous state (`ROLLBACK`) or leaves it (`DO_NOTHING`).
   */
  apply(
    want: DesiredState | (() => Promise<DesiredState>),
    policy: DeploymentRecord["policy"],
    onRecorded?: (record: DeploymentRecord) => void,
    origin: DeploymentOrigin = "local",
  ): Promise<DeploymentRecord> {
    return this.#serialized(async () => {
      // worked out inside the queue: it depends on the latest completed deployment
      const desired = typeof want === "function" ? await want() : want;
      // the state being written: the functions it names (those it removes go) and every other one as it is
      checkRouteConflicts(
        Object.values(desired).flatMap((wanted) => wanted ? [wanted.config] : []),
        latestConfigs(this.#deps.store).filter((config) => !(config.functionName in desired)),
      );
      const record: DeploymentRecord = {
        id: crypto.randomUUID(),
        createdAt: new Date().toISOString(),
        status: "IN_PROGRESS",
        policy,
        functions: desired,
        previous: this.#snapshot(Object.keys(desired)),
        error: null,
        functionStatus: {},
      };
      this.#deps.store.deployments.insert(record, origin);
      onRecorded?.(record);
      const finished = await this.#run(record);
      this.#options.onFinished?.(finished);
      return finished;
    }).finally(() => this.#deps.code.collectSoon()); // what it replaced (or failed to apply) may be used no more
  }

  /** Finishes deployments a stopped agent left under way: rolled back (ROLLBACK) or marked failed (DO_NOTHING). */
  recoverInterrupted(): void {
    const { store } = this.#deps;
    const lastCompleted = store.deployments.latestCompleted()?.createdAt ?? "";
    for (const record of store.deployments.interrupted()) {
      const error = "interrupted: the agent stopped during the deployment";
      // only an unfinished deployment newer than the last completed one can have changed what is live now
      if (record.policy === "ROLLBACK" && record.createdAt > lastCompleted) {
        this.#write(record.previous); // no worker runs yet: the agent starts the pinned ones after this
        store.deployments.finish(record.id, "ROLLED_BACK", error, record.functionStatus);
      } else {
        store.deployments.finish(record.id, "FAILED", error, record.functionStatus);
      }
    }
  }

  /** Writes, verifies, and on failure handles a recorded deployment. */
  async #run(record: DeploymentRecord): Promise<DeploymentRecord> {
    const { store } = this.#deps;
    const desired = record.functions;
    let functionStatus: Record<string, string>;
    let error: string;
    // how far each function has got, kept in the record while it runs (`lambdalet deploy` shows it)
    const progress: Record<string, string> = {};
    const tell = (name: string, status: string) => {
      progress[name] = status;
      store.deployments.progress(record.id, progress);
    };
    try {
      this.#write(desired, false);
      for (const [name, wanted] of Object.entries(desired)) {
        if (wanted) progress[name] = record.previous[name] ? "UPDATED" : "CREATED";
      }
      store.deployments.progress(record.id, progress);
      functionStatus = await this.#verify(desired, tell);
      const failures = Object.entries(functionStatus).filter(([, status]) => status.startsWith("FAILED"));
      if (!failures.length) {
        this.#writeRemovals(desired);
        store.deployments.finish(record.id, "COMPLETED", null, functionStatus);
        return { ...record, status: "COMPLETED", functionStatus };
      }
      error = failures.map(([name, status]) => `${name}: ${status}`).join("; ");
    } catch (failure) {
      functionStatus = {};
      error = `the agent failed while applying it: ${failure instanceof Error ? failure.message : failure}`;
    }
    let status: DeploymentStatus = "FAILED";
    if (record.policy === "ROLLBACK") {
      this.#write(record.previous);
      await this.#verify(record.previous);
      for (const name of Object.keys(functionStatus)) {
        if (!functionStatus[name]!.startsWith("FAILED")) functionStatus[name] = "ROLLED_BACK";
      }
      status = "ROLLED_BACK";
    }
    store.deployments.finish(record.id, status, error, functionStatus);
    return { ...record, status, error, functionStatus };
  }

  /** Runs deployments one at a time. */
  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#running.then(work, work);
    this.#running = next.catch(() => {});
    return next;
  }

  /** The current `$LATEST` and tags of each named function, or null where it does not exist. */
  #snapshot(names: Iterable<string>): DesiredState {
    const state: DesiredState = {};
    for (const name of names) {
      const config = this.#deps.store.functions.getVersion(name, LATEST);
      state[name] = config ? { config, tags: this.#deps.store.functions.getTags(name) ?? {} } : null;
    }
    return state;
  }

  /**
   * Writes a desired state in one transaction: the database never holds half of it. Removals can wait
   * (`removals: false`) until the deployment is verified, so that a rollback never has to bring back a deleted
   * function's versions and aliases.
   */
  #write(state: DesiredState, removals = true): void {
    const { store } = this.#deps;
    store.db.transaction(() => {
      for (const [name, wanted] of Object.entries(state)) {
        if (wanted) store.functions.putLatest(wanted.config, wanted.tags);
        else if (removals) store.functions.deleteFunction(name);
      }
    })();
    // the workers of what it keeps follow in #verify; those of what it removed stop now
    if (removals) {
      for (const [name, wanted] of Object.entries(state)) {
        if (!wanted) void functionChanged(this.#deps, name);
      }
    }
  }

  /** Deletes the functions a verified state removes, and stops their workers. */
  #writeRemovals(state: DesiredState): void {
    const removed = Object.entries(state).filter(([, wanted]) => !wanted).map(([name]) => name);
    const { store } = this.#deps;
    store.db.transaction(() => removed.forEach((name) => store.functions.deleteFunction(name)))();
    for (const name of removed) void functionChanged(this.#deps, name);
  }

  /**
   * Lets the workers of each function follow the state just written, and reports, per function, whether its pinned
   * workers reached their first `next`. A function the state removes keeps its workers until the removal is written.
   */
  async #verify(
    state: DesiredState,
    tell: (name: string, status: string) => void = () => {},
  ): Promise<Record<string, string>> {
    const status: Record<string, string> = {};
    const settle = (name: string, value: string) => {
      status[name] = value;
      tell(name, value);
    };
    await Promise.all(
      Object.entries(state).map(async ([name, wanted]) => {
        if (!wanted) {
          status[name] = "REMOVED";
          return;
        }
        const states = await functionChanged(this.#deps, name);
        if (!wanted.config.edge.pinned) {
          settle(name, "APPLIED");
          return;
        }
        const failed = states.find((state) => state !== "ready");
        const error = this.#deps.scheduler.statusOf(name, LATEST)?.lastError;
        settle(name, failed ? `FAILED: pinned worker ${failed}${error ? ` (${error})` : ""}` : "STARTED");
      }),
    );
    return status;
  }

  /** A Greengrass component entry as the function entry it maps to; its warnings named by the function. */
  #component(entry: GreengrassImportInput, warnings: string[]): DeploymentFunction {
    const { mapped, code } = mapGreengrassImport(this.#deps, entry);
    warnings.push(...mapped.warnings.map((warning) => `${mapped.functionName}: ${warning}`));
    return { ...mapped.input, Code: code };
  }

  /**
   * Turns a document into the state it asks for: its functions, and the removal of those the last one of the same
   * origin had. Its code is held by `lease` until the deployment's record names it.
   */
  async #desiredState(
    document: DeploymentDocument,
    lease: CodeLease,
    warnings: string[],
    origin: DeploymentOrigin,
  ): Promise<DesiredState> {
    const deps = this.#deps;
    const desired: DesiredState = {};
    for (const entry of document.functions) {
      const fn = "greengrassComponent" in entry ? this.#component(entry, warnings) : entry;
      if (fn.FunctionName in desired) {
        throw new LambdaError(
          "InvalidParameterValueException",
          `The deployment names the function ${fn.FunctionName} more than once`,
        );
      }
      let code: { sha256: string; size: number };
      if ("ZipFile" in fn.Code) {
        code = await storeZip(deps.code, fn.Code.ZipFile, lease);
      } else {
        lease.hold(fn.Code.Sha256);
        const zip = deps.store.code.get(fn.Code.Sha256);
        if (!zip) {
          throw new LambdaError(
            "InvalidParameterValueException",
            `${fn.FunctionName}: no code stored with SHA-256 ${fn.Code.Sha256}`,
          );
        }
        code = { sha256: fn.Code.Sha256, size: zip.byteLength };
      }
      const config = configFromCreate({ ...fn, Code: { ZipFile: "" } }, code, deps.defaults);
      checkRunnable(deps, config);
      desired[fn.FunctionName] = { config: { ...config, lastModified: lambdaTimestamp() }, tags: fn.Tags };
    }
    const last = deps.store.deployments.latestCompleted(origin);
    for (const name of Object.keys(last?.functions ?? {})) {
      if (!(name in desired) && last?.functions[name]) desired[name] = null;
    }
    return desired;
  }
}
