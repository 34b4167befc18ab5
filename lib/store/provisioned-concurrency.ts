/** @module The provisioned concurrency asked for each published version or alias of a function. */
import type { Database } from "bun:sqlite";
import { defineTable, type Row } from "./table.ts";

/** One stored PutProvisionedConcurrencyConfig. */
export interface ProvisionedConcurrencyRecord {
  /** The function's name. */
  functionName: string;
  /** A published version number or an alias name. */
  qualifier: string;
  /** How many workers to keep initialised ahead (≥ 1). */
  requested: number;
  /** When it was last put, as Lambda writes timestamps (`2024-01-11T09:49:02.956+0000`). */
  lastModified: string;
}

const PROVISIONED_CONCURRENCY = defineTable<ProvisionedConcurrencyRecord>("provisioned_concurrency", {
  functionName: "function_name",
  qualifier: "qualifier",
  requested: "requested",
  lastModified: "last_modified",
});

/** Reads and writes provisioned concurrency configurations (a function's are deleted with it). */
export class ProvisionedConcurrencyRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores `record`, replacing the configuration of the same function and qualifier. */
  put(record: ProvisionedConcurrencyRecord): void {
    this.#db.query(PROVISIONED_CONCURRENCY.insertOrReplace).run(...PROVISIONED_CONCURRENCY.toParams(record));
  }

  /** The configuration of one version or alias, or null. */
  get(functionName: string, qualifier: string): ProvisionedConcurrencyRecord | null {
    const row = this.#db.query<Row, [string, string]>(
      `SELECT ${PROVISIONED_CONCURRENCY.columns} FROM provisioned_concurrency WHERE function_name = ? AND qualifier = ?`,
    ).get(functionName, qualifier);
    return row ? PROVISIONED_CONCURRENCY.fromRow(row) : null;
  }

  /** The configurations of `functionName`, ordered by qualifier. */
  list(functionName: string): ProvisionedConcurrencyRecord[] {
    return this.#db.query<Row, [string]>(
      `SELECT ${PROVISIONED_CONCURRENCY.columns} FROM provisioned_concurrency WHERE function_name = ? ORDER BY qualifier`,
    ).all(functionName).map((row) => PROVISIONED_CONCURRENCY.fromRow(row));
  }

  /** The names of the functions that have at least one configuration. */
  functionNames(): string[] {
    return this.#db.query<{ function_name: string }, []>(
      "SELECT DISTINCT function_name FROM provisioned_concurrency ORDER BY function_name",
    ).all().map((row) => row.function_name);
  }

  /** Deletes one configuration; false when there was none. */
  delete(functionName: string, qualifier: string): boolean {
    return this.#db.query("DELETE FROM provisioned_concurrency WHERE function_name = ? AND qualifier = ?")
      .run(functionName, qualifier).changes > 0;
  }
}
