/**
 * @module Provisioned concurrency (Put/Get/Delete/ListProvisionedConcurrencyConfigs): workers of a published version,
 * or of an alias's version, initialised ahead and kept by the scheduler, following the function's changes.
 */
import { lambdaTimestamp } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { LATEST, type Page, type ProvisionedConcurrencyRecord } from "../store/mod.ts";
import { functionArn, type FunctionRef } from "./arn.ts";
import type { PartDeps } from "./deps.ts";
import { checkProvisionedPut, NOT_PUBLISHED, versionNamedBy } from "./provisioned-concurrency-checks.ts";
import { functionNotFound, isVersionQualifier, targetOf } from "./resolve.ts";

type ProvisionedDeps = Pick<
  PartDeps,
  "store" | "code" | "scheduler" | "sandbox" | "region" | "accountId" | "changes"
>;

/** Where a configuration is: its workers starting, all of them ready, or not all could start. */
export type ProvisionedConcurrencyStatus = "IN_PROGRESS" | "READY" | "FAILED";

/** A stored configuration and how far the scheduler got with it. */
export interface ProvisionedConcurrencyState extends ProvisionedConcurrencyRecord {
  /** Where it is. */
  status: ProvisionedConcurrencyStatus;
  /** Why it failed, when it did. */
  statusReason?: string;
  /** How many of its workers are initialised and kept. */
  ready: number;
}

/** A version or alias that has no provisioned concurrency configuration (GetProvisionedConcurrencyConfig). */
export class ProvisionedConcurrencyConfigNotFoundError extends Error {
  constructor() {
    super("No Provisioned Concurrency Config found for this function");
    this.name = "ProvisionedConcurrencyConfigNotFoundError";
  }
}

interface Progress {
  status: ProvisionedConcurrencyStatus;
  reason?: string;
  ready: number;
}

/** What one version of a function is asked to keep: the sum of the configurations resolving to it. */
interface Wanted {
  count: number;
  qualifiers: string[];
}

function keyOf(name: string, qualifier: string): string {
  return `${name}\0${qualifier}`;
}

/**
 * The provisioned concurrency of every function: stored, applied through the scheduler's `provision` (its status
 * `IN_PROGRESS` until the workers are ready), applied again after every change to the function (an alias that moves
 * takes its workers along; a deleted version, alias or function releases them) and at the agent's start.
 */
export class ProvisionedConcurrency {
  readonly #deps: ProvisionedDeps;
  /** Each configuration's progress, by function and qualifier (none yet: `IN_PROGRESS`). */
  readonly #progress = new Map<string, Progress>();
  /** The count each version was last asked to keep and the call that asked, by function and version. */
  readonly #applied = new Map<string, { name: string; version: string; count: number; call: number }>();
  #calls = 0;
  /** The last ask to the scheduler of each version, by function and version (they run one after another). */
  readonly #asks = new Map<string, Promise<void>>();

  constructor(deps: ProvisionedDeps) {
    this.#deps = deps;
    deps.changes.subscribe((name) => this.#apply(name));
  }

  /** Stores the configuration of `ref` (a published version or an alias) and starts its workers. */
  put(ref: FunctionRef, requested: number): ProvisionedConcurrencyState {
    const qualifier = this.#qualifierOf(ref, NOT_PUBLISHED);
    const { name } = ref;
    const version = this.#versionOf(name, qualifier);
    checkProvisionedPut(this.#deps.store, { name, qualifier }, version, requested);
    const record = { functionName: name, qualifier, requested, lastModified: lambdaTimestamp() };
    this.#deps.store.provisionedConcurrency.put(record);
    this.#progress.set(keyOf(name, qualifier), { status: "IN_PROGRESS", ready: 0 });
    const state = this.#stateOf(record);
    this.#apply(name);
    return state;
  }

  /** The configuration of `ref` and its progress. */
  get(ref: FunctionRef): ProvisionedConcurrencyState {
    const qualifier = this.#qualifierOf(ref);
    this.#versionOf(ref.name, qualifier);
    const record = this.#deps.store.provisionedConcurrency.get(ref.name, qualifier);
    if (!record) throw new ProvisionedConcurrencyConfigNotFoundError();
    return this.#stateOf(record);
  }

  /** Deletes the configuration of `ref` (none is not an error, as on Lambda) and releases its workers. */
  delete(ref: FunctionRef): void {
    const qualifier = this.#qualifierOf(ref);
    this.#versionOf(ref.name, qualifier);
    this.#deps.store.provisionedConcurrency.delete(ref.name, qualifier);
    this.#progress.delete(keyOf(ref.name, qualifier));
    this.#apply(ref.name);
  }

  /** A page of the configurations of `name`, by qualifier (the marker is the last qualifier of a page). */
  list(name: string, marker: string | undefined, maxItems: number): Page<ProvisionedConcurrencyState> {
    if (!this.#deps.store.functions.exists(name)) throw functionNotFound(this.#deps, { name });
    const records = this.#deps.store.provisionedConcurrency.list(name);
    const start = marker ? records.findIndex((record) => record.qualifier > marker) : 0;
    const rest = start === -1 ? [] : records.slice(start);
    const items = rest.slice(0, maxItems).map((record) => this.#stateOf(record));
    return rest.length > maxItems ? { items, nextMarker: items[items.length - 1]!.qualifier } : { items };
  }

  /** Applies every stored configuration (at the agent's start, once workers can reach the agent). */
  start(): void {
    for (const name of this.#deps.store.provisionedConcurrency.functionNames()) this.#apply(name);
  }

  #stateOf(record: ProvisionedConcurrencyRecord): ProvisionedConcurrencyState {
    const progress = this.#progress.get(keyOf(record.functionName, record.qualifier)) ??
      { status: "IN_PROGRESS", ready: 0 };
    return {
      ...record,
      status: progress.status,
      ...(progress.reason === undefined ? {} : { statusReason: progress.reason }),
      ready: progress.ready,
    };
  }

  /** The qualifier of `ref`, which must name a published version or an alias. */
  #qualifierOf(ref: FunctionRef, latestMessage?: string): string {
    if (ref.qualifier === undefined) {
      throw new LambdaError(
        "InvalidParameterValueException",
        "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null",
      );
    }
    if (ref.qualifier === LATEST) {
      throw new LambdaError(
        "InvalidParameterValueException",
        latestMessage ?? "The function resource provided must be an alias or a published version.",
      );
    }
    return ref.qualifier;
  }

  /** The version `qualifier` names now (an alias's main version), or Lambda's 404 for the version or alias. */
  #versionOf(name: string, qualifier: string): string {
    const { store, region, accountId } = this.#deps;
    if (!store.functions.exists(name)) throw functionNotFound(this.#deps, { name, qualifier });
    if (isVersionQualifier(qualifier)) {
      if (!store.functions.getVersion(name, qualifier)) {
        throw functionNotFound(this.#deps, { name, qualifier });
      }
      return qualifier;
    }
    const alias = store.aliases.get(name, qualifier);
    if (!alias) {
      throw new LambdaError(
        "ResourceNotFoundException",
        `Cannot find alias arn: ${functionArn(region, accountId, name, qualifier)}`,
      );
    }
    return alias.functionVersion;
  }

  /**
   * What each version of `name` is asked to keep now: configurations of deleted versions and aliases are deleted;
   * one that cannot apply any more (an alias moved to `$LATEST`, a lowered reserved concurrency) is `FAILED`.
   */
  #wanted(name: string): Map<string, Wanted> {
    const { store } = this.#deps;
    const wanted = new Map<string, Wanted>();
    const records = store.provisionedConcurrency.list(name);
    const reserved = store.functions.getReservedConcurrency(name);
    const total = records.reduce((sum, record) => sum + record.requested, 0);
    for (const record of records) {
      const version = versionNamedBy(store, name, record.qualifier);
      if (version === undefined) {
        store.provisionedConcurrency.delete(name, record.qualifier);
        this.#progress.delete(keyOf(name, record.qualifier));
        continue;
      }
      const max = store.functions.getVersion(name, version)?.edge.maxInstancesCount ?? 0;
      const reason = version === LATEST
        ? NOT_PUBLISHED
        : typeof reserved === "number" && total > reserved
        ? `The function's reserved concurrency (${reserved}) is below its provisioned concurrency (${total})`
        : record.requested > max
        ? `Edge.maxInstancesCount of version ${version} (${max}) is below the provisioned concurrency`
        : undefined;
      if (reason !== undefined) {
        this.#progress.set(keyOf(name, record.qualifier), { status: "FAILED", reason, ready: 0 });
        continue;
      }
      const entry = wanted.get(version) ?? { count: 0, qualifiers: [] };
      entry.count += record.requested;
      entry.qualifiers.push(record.qualifier);
      wanted.set(version, entry);
    }
    return wanted;
  }

  /**
   * Asks the scheduler to keep what `name`'s configurations want now, every version again (a change may have retired
   * its pools), and releases the versions nothing wants any more.
   */
  #apply(name: string): void {
    const wanted = this.#wanted(name);
    for (const [key, applied] of this.#applied) {
      if (applied.name !== name || wanted.has(applied.version)) continue;
      this.#applied.delete(key);
      // a deleted version's pool was retired with it
      if (this.#deps.store.functions.getVersion(name, applied.version)) {
        void this.#provision(name, applied.version, 0);
      }
    }
    for (const [version, want] of wanted) {
      const previous = this.#applied.get(keyOf(name, version));
      for (const qualifier of want.qualifiers) {
        const key = keyOf(name, qualifier);
        if (previous?.count !== want.count || this.#progress.get(key)?.status !== "READY") {
          this.#progress.set(key, { status: "IN_PROGRESS", ready: 0 });
        }
      }
      void this.#provision(name, version, want.count, want.qualifiers);
    }
  }

  /**
   * Asks the scheduler to keep `count` workers of `version` once its earlier asks have ended (so that each answer
   * counts the workers the earlier ones started); the qualifiers' progress follows the answer.
   */
  #provision(name: string, version: string, count: number, qualifiers: string[] = []): Promise<void> {
    const call = ++this.#calls;
    const key = keyOf(name, version);
    if (count > 0) this.#applied.set(key, { name, version, count, call });
    const asked = (this.#asks.get(key) ?? Promise.resolve()).then(() =>
      this.#ask(name, version, count, qualifiers, call)
    );
    this.#asks.set(key, asked);
    void asked.then(() => {
      if (this.#asks.get(key) === asked) this.#asks.delete(key);
    });
    return asked;
  }

  async #ask(
    name: string,
    version: string,
    count: number,
    qualifiers: string[],
    call: number,
  ): Promise<void> {
    const key = keyOf(name, version);
    const settle = (progress: Progress) => {
      if (count === 0 || this.#applied.get(key)?.call !== call) return; // a later call decides
      for (const qualifier of qualifiers) this.#progress.set(keyOf(name, qualifier), progress);
    };
    try {
      const config = this.#deps.store.functions.getVersion(name, version);
      if (!config) return;
      const target = await targetOf(this.#deps, config, version);
      const { ready, error } = await this.#deps.scheduler.provision(target, count);
      if (ready >= count && error === undefined) settle({ status: "READY", ready });
      else settle({ status: "FAILED", reason: error ?? `${ready} of ${count} workers started`, ready });
    } catch (error) {
      settle({ status: "FAILED", reason: error instanceof Error ? error.message : String(error), ready: 0 });
      if (count === 0) {
        console.error(`lambdalet: releasing the provisioned workers of ${name}:${version}:`, error);
      }
    }
  }
}
