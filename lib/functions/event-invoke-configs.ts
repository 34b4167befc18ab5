/** @module How a function's Event invocations are retried and where their outcomes go (Put/Update/Get/Delete FunctionEventInvokeConfig). */
import { LambdaError } from "../errors/mod.ts";
import { EVENT_INVOKE_DEFAULTS, type EventInvokeConfig, type StoredEventInvokeConfig } from "../store/mod.ts";
import { functionArn, type FunctionRef, parseFunctionRef } from "./arn.ts";
import type { ControlPlaneDeps } from "./deps.ts";
import { functionNotFound, resolveVersion } from "./resolve.ts";

type EventConfigDeps = Pick<ControlPlaneDeps, "store" | "region" | "accountId">;

/** A change to an Event invoke configuration: members left out keep their value (Update) or default (Put). */
export interface EventInvokeConfigChange {
  /** Retries after a function error, 0 to 2. */
  maximumRetryAttempts?: number;
  /** How long an event may wait, 60 to 21600 s. */
  maximumEventAgeInSeconds?: number;
  /** Where a successful outcome goes: a function ARN, or "" for nowhere; left out: unchanged. */
  onSuccess?: string;
  /** Where a failed outcome goes: a function ARN, or "" for nowhere (the dead letters); left out: unchanged. */
  onFailure?: string;
}

/** The Event invoke configurations of functions and their qualifiers. */
export class EventInvokeConfigs {
  readonly #deps: EventConfigDeps;

  constructor(deps: EventConfigDeps) {
    this.#deps = deps;
  }

  /** Replaces the configuration of `ref` (Put), or with `merge` changes only what `change` names (Update). */
  put(ref: FunctionRef, change: EventInvokeConfigChange, merge = false): StoredEventInvokeConfig {
    const { name, qualifier } = this.#target(ref);
    const existing = this.#deps.store.eventInvokeConfigs.get(name, qualifier)?.config;
    if (merge && !existing) throw this.#notConfigured(name, qualifier);
    const base = merge && existing ? existing : EVENT_INVOKE_DEFAULTS;
    const onSuccess = change.onSuccess === undefined ? base.onSuccess : this.#destination(change.onSuccess);
    const onFailure = change.onFailure === undefined ? base.onFailure : this.#destination(change.onFailure);
    const config: EventInvokeConfig = {
      maximumRetryAttempts: change.maximumRetryAttempts ?? base.maximumRetryAttempts,
      maximumEventAgeInSeconds: change.maximumEventAgeInSeconds ?? base.maximumEventAgeInSeconds,
      ...(onSuccess ? { onSuccess } : {}),
      ...(onFailure ? { onFailure } : {}),
    };
    return this.#deps.store.eventInvokeConfigs.put(name, qualifier, config);
  }

  /** The configuration of `ref`. */
  get(ref: FunctionRef): StoredEventInvokeConfig {
    const { name, qualifier } = this.#target(ref);
    const stored = this.#deps.store.eventInvokeConfigs.get(name, qualifier);
    if (!stored) throw this.#notConfigured(name, qualifier);
    return stored;
  }

  /** Deletes the configuration of `ref`. */
  delete(ref: FunctionRef): void {
    const { name, qualifier } = this.#target(ref);
    if (!this.#deps.store.eventInvokeConfigs.delete(name, qualifier)) {
      throw this.#notConfigured(name, qualifier);
    }
  }

  /** The stored key of `ref` ("" for the unqualified function), which must exist. */
  #target(ref: FunctionRef): { name: string; qualifier: string } {
    if (ref.qualifier !== undefined) resolveVersion(this.#deps, ref);
    else if (!this.#deps.store.functions.exists(ref.name)) throw functionNotFound(this.#deps, ref);
    return { name: ref.name, qualifier: ref.qualifier ?? "" };
  }

  /** A destination must be a function on this agent: queues, topics and buses are not reachable from a device. */
  #destination(arn: string): string | undefined {
    if (arn === "") return undefined;
    if (!/^arn:aws[a-zA-Z-]*:lambda:/.test(arn)) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `The destination ARN ${arn} is not a Lambda function: only functions on this agent can be destinations (failed events without one go to the dead letters, see lambdalet dead-letters)`,
      );
    }
    resolveVersion(this.#deps, parseFunctionRef(arn));
    return arn;
  }

  #notConfigured(name: string, qualifier: string): LambdaError {
    return new LambdaError(
      "ResourceNotFoundException",
      `The function ${
        functionArn(this.#deps.region, this.#deps.accountId, name, qualifier || undefined)
      } doesn't have an EventInvokeConfig`,
    );
  }
}
