/** @module Aliases: names that point at a function version, optionally splitting traffic with a second one. */
import type { Database } from "bun:sqlite";
import { RevisionMismatchError } from "./functions.ts";
import { type Page, pageOf } from "./paging.ts";
import { defineTable, json, type Row } from "./table.ts";

/** An alias as stored. */
export interface AliasRecord {
  /** The function it belongs to. */
  functionName: string;
  /** The alias name. */
  name: string;
  /** The version it points at. */
  functionVersion: string;
  /** Free text. */
  description: string;
  /** Other versions and the share of invocations each receives (0..1). */
  additionalVersionWeights: Record<string, number>;
  /** Changes on every update. */
  revisionId: string;
}

/** Thrown when creating an alias whose name is taken. */
export class AliasExistsError extends Error {
  /** The function the alias belongs to. */
  readonly functionName: string;
  /** The alias name taken. */
  readonly alias: string;

  constructor(functionName: string, name: string) {
    super(`Alias already exists: ${functionName}:${name}`);
    this.name = "AliasExistsError";
    this.functionName = functionName;
    this.alias = name;
  }
}

const ALIASES = defineTable<AliasRecord>("aliases", {
  functionName: "function_name",
  name: "name",
  functionVersion: "function_version",
  description: "description",
  additionalVersionWeights: json("routing"),
  revisionId: "revision_id",
});

/** Reads and writes aliases. */
export class AliasRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Creates an alias; throws {@linkcode AliasExistsError} when the name is taken. */
  create(alias: Omit<AliasRecord, "revisionId">): AliasRecord {
    const record = { ...alias, revisionId: crypto.randomUUID() };
    return this.#db.transaction(() => {
      if (this.get(alias.functionName, alias.name)) {
        throw new AliasExistsError(alias.functionName, alias.name);
      }
      this.#db.query(ALIASES.insert).run(...ALIASES.toParams(record));
      return record;
    })();
  }

  /** One alias, or null. */
  get(functionName: string, name: string): AliasRecord | null {
    const row = this.#db.query<Row, [string, string]>(
      `SELECT ${ALIASES.columns} FROM aliases WHERE function_name = ? AND name = ?`,
    ).get(functionName, name);
    return row ? ALIASES.fromRow(row) : null;
  }

  /** Applies `change` to an alias in one transaction, checking `revisionId` when given; null when unknown. */
  update(
    functionName: string,
    name: string,
    change: (alias: AliasRecord) => Omit<AliasRecord, "revisionId">,
    revisionId?: string,
  ): AliasRecord | null {
    return this.#db.transaction(() => {
      const current = this.get(functionName, name);
      if (!current) return null;
      if (revisionId !== undefined && revisionId !== current.revisionId) throw new RevisionMismatchError();
      const next = { ...change(current), revisionId: crypto.randomUUID() };
      this.#db.query(
        `UPDATE aliases SET function_version = ?, description = ?, routing = ?, revision_id = ?
         WHERE function_name = ? AND name = ?`,
      ).run(
        next.functionVersion,
        next.description,
        JSON.stringify(next.additionalVersionWeights),
        next.revisionId,
        functionName,
        name,
      );
      return next;
    })();
  }

  /** Deletes an alias; false when it did not exist. */
  delete(functionName: string, name: string): boolean {
    return this.#db.query("DELETE FROM aliases WHERE function_name = ? AND name = ?").run(functionName, name)
      .changes > 0;
  }

  /** The aliases of a function by name (only those routing to `version` when given), one page from `marker`. */
  list(
    functionName: string,
    version: string | undefined,
    marker: string | undefined,
    maxItems: number,
  ): Page<AliasRecord> {
    const all = this.#db.query<Row, [string]>(
      `SELECT ${ALIASES.columns} FROM aliases WHERE function_name = ? ORDER BY name`,
    )
      .all(functionName).map(ALIASES.fromRow)
      .filter((alias) =>
        version === undefined || alias.functionVersion === version ||
        version in alias.additionalVersionWeights
      );
    return pageOf(all, (alias) => alias.name, marker, maxItems);
  }

  /** The aliases that route any traffic to `version`. */
  routingTo(functionName: string, version: string): AliasRecord[] {
    return this.list(functionName, version, undefined, Number.MAX_SAFE_INTEGER).items;
  }
}
