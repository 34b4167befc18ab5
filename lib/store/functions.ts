/** @module Functions and their versions: the rows behind the Lambda control plane. */
import type { Database } from "bun:sqlite";
import type { FunctionConfig } from "../config/mod.ts";

/** The version name of the unpublished, editable version. */
export const LATEST = "$LATEST";

/** Thrown by {@linkcode FunctionRepository.create} when the name is taken. */
export class FunctionExistsError extends Error {
  constructor(name: string) {
    super(`Function already exist: ${name}`);
    this.name = "FunctionExistsError";
  }
}

/** Reads and writes functions and their versions. */
export class FunctionRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Creates a function with its `$LATEST` version, in one transaction. */
  create(config: FunctionConfig, tags: Record<string, string>): void {
    this.#db.transaction(() => {
      const existing = this.#db.query("SELECT 1 FROM functions WHERE name = ?").get(config.functionName);
      if (existing) throw new FunctionExistsError(config.functionName);
      this.#db.query("INSERT INTO functions (name, created_at, tags) VALUES (?, ?, ?)").run(
        config.functionName,
        new Date().toISOString(),
        JSON.stringify(tags),
      );
      this.#db.query("INSERT INTO versions (function_name, version, code_sha256, config) VALUES (?, ?, ?, ?)")
        .run(
          config.functionName,
          LATEST,
          config.codeSha256,
          JSON.stringify(config),
        );
    })();
  }

  /** One version of a function, or null when either is unknown. */
  getVersion(name: string, version: string = LATEST): FunctionConfig | null {
    const row = this.#db.query<{ config: string }, [string, string]>(
      "SELECT config FROM versions WHERE function_name = ? AND version = ?",
    ).get(name, version);
    return row ? JSON.parse(row.config) as FunctionConfig : null;
  }

  /** The tags of a function, or null when it is unknown. */
  getTags(name: string): Record<string, string> | null {
    const row = this.#db.query<{ tags: string }, [string]>("SELECT tags FROM functions WHERE name = ?").get(
      name,
    );
    return row ? JSON.parse(row.tags) as Record<string, string> : null;
  }

  /** Every stored version's configuration, for start-up checks. */
  listAllVersions(): FunctionConfig[] {
    return this.#db.query<{ config: string }, []>(
      "SELECT config FROM versions ORDER BY function_name, version",
    )
      .all().map((row) => JSON.parse(row.config) as FunctionConfig);
  }
}
