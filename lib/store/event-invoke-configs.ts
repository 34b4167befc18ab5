/** @module Per-function (or per-qualifier) settings of asynchronous invocation: retries, age, destinations. */
import type { Database } from "bun:sqlite";
import { defineTable, json, type Row } from "./table.ts";

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

/** A row of the table: a stored configuration with the function and qualifier it belongs to. */
interface ConfigRecord extends StoredEventInvokeConfig {
  functionName: string;
  qualifier: string;
}

const EVENT_INVOKE_CONFIGS = defineTable<ConfigRecord>("event_invoke_configs", {
  functionName: "function_name",
  qualifier: "qualifier",
  config: json("config"),
  lastModified: "last_modified",
});

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
      `${EVENT_INVOKE_CONFIGS.insert}
       ON CONFLICT (function_name, qualifier) DO UPDATE SET config = excluded.config, last_modified = excluded.last_modified`,
    ).run(...EVENT_INVOKE_CONFIGS.toParams({ functionName, qualifier, config, lastModified }));
    return { config, lastModified };
  }

  /** One stored configuration, or null. */
  get(functionName: string, qualifier: string): StoredEventInvokeConfig | null {
    const row = this.#db.query<Row, [string, string]>(
      `SELECT ${EVENT_INVOKE_CONFIGS.columns} FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?`,
    ).get(functionName, qualifier);
    if (!row) return null;
    const { config, lastModified } = EVENT_INVOKE_CONFIGS.fromRow(row);
    return { config, lastModified };
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
