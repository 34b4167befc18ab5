/** @module Functions and their versions: the rows behind the Lambda control plane. */
import type { Database } from "bun:sqlite";
import { EDGE_DEFAULTS, FUNCTION_DEFAULTS, type FunctionConfig, lambdaTimestamp } from "../config/mod.ts";
import { type Page, pageOf } from "./paging.ts";
import { defineTable, json, type Row } from "./table.ts";

/** The version name of the unpublished, editable version. */
export const LATEST = "$LATEST";

/** Thrown by {@linkcode FunctionRepository.create} when the name is taken. */
export class FunctionExistsError extends Error {
  constructor(name: string) {
    super(`Function already exist: ${name}`);
    this.name = "FunctionExistsError";
  }
}

/** Thrown when a function or version that should exist does not. */
export class NotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = "NotFoundError";
  }
}

/** Thrown when a `RevisionId` given by the client is not the current one. */
export class RevisionMismatchError extends Error {
  constructor() {
    super(
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
    this.name = "RevisionMismatchError";
  }
}

/** A stored version with its name. */
export interface VersionRow {
  /** `$LATEST` or a number. */
  version: string;
  /** Its configuration. */
  config: FunctionConfig;
}

/** A row of the functions table, as this class writes it (`last_version` and `reserved_concurrency` have their own). */
interface FunctionRecord {
  name: string;
  createdAt: string;
  tags: Record<string, string>;
}

const FUNCTIONS = defineTable<FunctionRecord>("functions", {
  name: "name",
  createdAt: "created_at",
  tags: json("tags"),
});

/** A row of the versions table. */
interface StoredVersion extends VersionRow {
  functionName: string;
  codeSha256: string;
}

const VERSIONS = defineTable<StoredVersion>("versions", {
  functionName: "function_name",
  version: "version",
  codeSha256: "code_sha256",
  config: {
    name: "config",
    encode: (config) => JSON.stringify(config),
    decode: (stored) => parseConfig(stored as string),
  },
});

const VERSION_ORDER = "CASE version WHEN '$LATEST' THEN 0 ELSE CAST(version AS INTEGER) END";

/**
 * Reads and writes functions and their versions. Reads of single versions and reserved concurrency are cached in
 * memory (every invocation reads them); every write through this class empties the cache.
 */
export class FunctionRepository {
  readonly #db: Database;
  readonly #versions = new Map<string, FunctionConfig | null>();
  readonly #reserved = new Map<string, number | undefined | null>();
  #revision = 0;

  constructor(db: Database) {
    this.#db = db;
  }

  #forget(): void {
    this.#revision++;
    this.#versions.clear();
    this.#reserved.clear();
  }

  /**
   * A number that changes with every write to any function, version or reserved concurrency: what was derived from
   * them while it holds is still true.
   */
  get revision(): number {
    return this.#revision;
  }

  /** Creates a function with its `$LATEST` version, in one transaction. */
  create(config: FunctionConfig, tags: Record<string, string>): void {
    this.#forget();
    this.#db.transaction(() => {
      if (this.exists(config.functionName)) throw new FunctionExistsError(config.functionName);
      this.#db.query(FUNCTIONS.insert).run(...FUNCTIONS.toParams(newFunction(config, tags)));
      this.#putVersion(config.functionName, LATEST, config);
    })();
  }

  /** Creates a function or replaces its `$LATEST` and tags (deployments), keeping its published versions. */
  putLatest(config: FunctionConfig, tags: Record<string, string>): void {
    this.#db.transaction(() => {
      this.#db.query(`${FUNCTIONS.insert} ON CONFLICT (name) DO UPDATE SET tags = excluded.tags`)
        .run(...FUNCTIONS.toParams(newFunction(config, tags)));
      this.#putVersion(config.functionName, LATEST, config);
    })();
  }

  /** Whether a function named `name` exists. */
  exists(name: string): boolean {
    return this.#db.query("SELECT 1 FROM functions WHERE name = ?").get(name) !== null;
  }

  /** One version of a function, or null when either is unknown. */
  getVersion(name: string, version: string = LATEST): FunctionConfig | null {
    const key = `${name}\0${version}`;
    const cached = this.#versions.get(key);
    if (cached !== undefined) return cached;
    const row = this.#db.query<Row, [string, string]>(
      `SELECT ${VERSIONS.columns} FROM versions WHERE function_name = ? AND version = ?`,
    ).get(name, version);
    const config = row ? VERSIONS.fromRow(row).config : null;
    this.#versions.set(key, config);
    return config;
  }

  /** The tags of a function, or null when it is unknown. */
  getTags(name: string): Record<string, string> | null {
    const row = this.#db.query<Row, [string]>(`SELECT ${FUNCTIONS.columns} FROM functions WHERE name = ?`)
      .get(name);
    return row ? FUNCTIONS.fromRow(row).tags : null;
  }

  /**
   * Replaces `$LATEST` with what `change` makes of it, in one transaction; checks `revisionId` when given.
   * Returns the new configuration.
   */
  updateLatest(
    name: string,
    change: (config: FunctionConfig) => FunctionConfig,
    revisionId?: string,
  ): FunctionConfig {
    this.#forget();
    return this.#db.transaction(() => {
      const current = this.getVersion(name);
      if (!current) throw new NotFoundError(`Function ${name}`);
      if (revisionId !== undefined && revisionId !== current.revisionId) throw new RevisionMismatchError();
      const next = change(current);
      this.#putVersion(name, LATEST, next);
      return next;
    })();
  }

  /**
   * Publishes `$LATEST` as a new numbered version, or returns the newest version when `$LATEST` has not
   * changed since (as Lambda does). `check` may refuse before anything is written.
   */
  publish(
    name: string,
    description: string | undefined,
    check: (latest: FunctionConfig) => void,
  ): VersionRow {
    return this.#db.transaction(() => {
      const latest = this.getVersion(name);
      if (!latest) throw new NotFoundError(`Function ${name}`);
      check(latest);
      const newest = this.#newestPublished(name);
      if (newest && sameContent(newest.config, latest)) return newest;
      const row = this.#db.query<{ last_version: number }, [string]>(
        "UPDATE functions SET last_version = last_version + 1 WHERE name = ? RETURNING last_version",
      ).get(name);
      const version = String(row!.last_version);
      const config: FunctionConfig = {
        ...latest,
        description: description ?? latest.description,
        lastModified: lambdaTimestamp(),
        revisionId: crypto.randomUUID(),
      };
      this.#putVersion(name, version, config);
      return { version, config };
    })();
  }

  /** The versions of a function, `$LATEST` first then by number, one page from `marker`. */
  listVersions(name: string, marker: string | undefined, maxItems: number): Page<VersionRow> {
    const rows = this.#db.query<Row, [string]>(
      `SELECT ${VERSIONS.columns} FROM versions WHERE function_name = ? ORDER BY ${VERSION_ORDER}`,
    ).all(name).map(versionRow);
    return pageOf(rows, (row) => row.version, marker, maxItems);
  }

  /** Functions by name, one page from `marker`; with `allVersions`, every version of each. */
  listFunctions(marker: string | undefined, maxItems: number, allVersions: boolean): Page<VersionRow> {
    const where = allVersions ? "" : "WHERE version = '$LATEST'";
    const rows = this.#db.query<Row, []>(
      `SELECT ${VERSIONS.columns} FROM versions ${where} ORDER BY function_name, ${VERSION_ORDER}`,
    ).all().map(versionRow);
    return pageOf(rows, (row) => `${row.config.functionName}:${row.version}`, marker, maxItems);
  }

  /** Sets (or with null, removes) a function's reserved concurrency. Returns false when it does not exist. */
  setReservedConcurrency(name: string, reserved: number | null): boolean {
    this.#forget();
    return this.#db.query("UPDATE functions SET reserved_concurrency = ? WHERE name = ?").run(reserved, name)
      .changes > 0;
  }

  /** A function's reserved concurrency: undefined when none is set, null when the function does not exist. */
  getReservedConcurrency(name: string): number | undefined | null {
    if (this.#reserved.has(name)) return this.#reserved.get(name);
    const row = this.#db.query<{ reserved_concurrency: number | null }, [string]>(
      "SELECT reserved_concurrency FROM functions WHERE name = ?",
    ).get(name);
    const reserved = row ? row.reserved_concurrency ?? undefined : null;
    this.#reserved.set(name, reserved);
    return reserved;
  }

  /** Deletes a function with all its versions and aliases. Returns false when it did not exist. */
  deleteFunction(name: string): boolean {
    this.#forget();
    return this.#db.query("DELETE FROM functions WHERE name = ?").run(name).changes > 0;
  }

  /** Deletes one published version. Returns false when it did not exist. */
  deleteVersion(name: string, version: string): boolean {
    this.#forget();
    return this.#db.query("DELETE FROM versions WHERE function_name = ? AND version = ?").run(name, version)
      .changes > 0;
  }

  /** The number of functions and the total size of their code zips. */
  usage(): { functionCount: number; totalCodeSize: number } {
    const functions = this.#db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM functions").get()?.n ?? 0;
    const size = this.#db.query<{ n: number | null }, []>(
      "SELECT SUM(size) AS n FROM code WHERE sha256 IN (SELECT code_sha256 FROM versions)",
    ).get()?.n ?? 0;
    return { functionCount: functions, totalCodeSize: size };
  }

  /** Every stored version's configuration, for start-up checks. */
  listAllVersions(): FunctionConfig[] {
    return this.#db.query<Row, []>(`SELECT ${VERSIONS.columns} FROM versions ORDER BY function_name, version`)
      .all().map((row) => VERSIONS.fromRow(row).config);
  }

  #newestPublished(name: string): VersionRow | null {
    const row = this.#db.query<Row, [string]>(
      `SELECT ${VERSIONS.columns} FROM versions WHERE function_name = ? AND version != '$LATEST'
       ORDER BY CAST(version AS INTEGER) DESC LIMIT 1`,
    ).get(name);
    return row ? versionRow(row) : null;
  }

  #putVersion(name: string, version: string, config: FunctionConfig): void {
    this.#forget();
    this.#db.query(
      `${VERSIONS.insert}
       ON CONFLICT (function_name, version) DO UPDATE SET code_sha256 = excluded.code_sha256, config = excluded.config`,
    ).run(...VERSIONS.toParams({ functionName: name, version, codeSha256: config.codeSha256, config }));
  }
}

/** The row of a new function named for `config`. */
function newFunction(config: FunctionConfig, tags: Record<string, string>): FunctionRecord {
  return { name: config.functionName, createdAt: new Date().toISOString(), tags };
}

/** A version as {@linkcode FunctionRepository} returns it, from a row of all the versions table's columns. */
function versionRow(row: Row): VersionRow {
  const { version, config } = VERSIONS.fromRow(row);
  return { version, config };
}

/** Reads a stored configuration, filling members that older agents did not write. */
function parseConfig(text: string): FunctionConfig {
  const stored = JSON.parse(text) as Partial<FunctionConfig>;
  return {
    ephemeralStorageSize: FUNCTION_DEFAULTS.ephemeralStorageSize,
    logFormat: FUNCTION_DEFAULTS.logFormat,
    ...stored,
    edge: { ...EDGE_DEFAULTS, ...stored.edge },
  } as FunctionConfig;
}

/** Whether two configurations run the same code the same way (publishing again would change nothing). */
function sameContent(a: FunctionConfig, b: FunctionConfig): boolean {
  const strip = ({ lastModified: _l, revisionId: _r, description: _d, ...rest }: FunctionConfig) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
