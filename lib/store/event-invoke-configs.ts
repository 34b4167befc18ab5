/** @module Per-function (or per-qualifier) settings of asynchronous invocation: retries, age, destinations. */
import type { Database } from "bun:sqlite";

/** How a function's Event invocations are retried and where their outcomes go. */
export interface EventInvokeConfig {
  /** Retries after a function error or timeout, 0 to 2. */
  maximumRetryAttempts: number;
  /** Events older than this are dropped, 60 to 21600. */
  maximumEventAgeInSeconds: number;
  /** The ARN of the function invoked with the record of each success. */
  onSuccess?: string;
  /** The ARN of the function invoked with the record of each final failure. */
  onFailure?: string;
}

/** Lambda's defaults. */
export const EVENT_INVOKE_DEFAULTS: EventInvokeConfig = {
  maximumRetryAttempts: 2,
  maximumEventAgeInSeconds: 21600,
};

/** A stored configuration with when it last changed (epoch seconds, as Lambda reports it). */
export interface StoredEventInvokeConfig {
  config: EventInvokeConfig;
  lastModified: number;
}

/** Reads and writes event invoke configurations; the qualifier "" stands for the unqualified function. */
export class EventInvokeConfigs {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores a configuration. */
  put(functionName: string, qualifier: string, config: EventInvokeConfig): StoredEventInvokeConfig {
    const lastModified = Math.floor(Date.now() / 1000);
    this.#db.query(
      `INSERT INTO event_invoke_configs (function_name, qualifier, config, last_modified) VALUES (?, ?, ?, ?)
       ON CONFLICT (function_name, qualifier) DO UPDATE SET config = excluded.config, last_modified = excluded.last_modified`,
    ).run(functionName, qualifier, JSON.stringify(config), lastModified);
    return { config, lastModified };
  }

  /** One stored configuration, or null. */
  get(functionName: string, qualifier: string): StoredEventInvokeConfig | null {
    const row = this.#db.query<{ config: string; last_modified: number }, [string, string]>(
      "SELECT config, last_modified FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?",
    ).get(functionName, qualifier);
    return row
      ? { config: JSON.parse(row.config) as EventInvokeConfig, lastModified: row.last_modified }
      : null;
  }

  /** The configuration an event uses: its qualifier's, else the function's, else Lambda's defaults. */
  effective(functionName: string, qualifier: string): EventInvokeConfig {
    return this.get(functionName, qualifier)?.config ?? this.get(functionName, "")?.config ??
      EVENT_INVOKE_DEFAULTS;
  }

  /** Deletes a configuration; false when there was none. */
  delete(functionName: string, qualifier: string): boolean {
    return this.#db.query("DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?").run(
      functionName,
      qualifier,
    ).changes > 0;
  }
}
