/** @module Function URLs: the HTTP endpoints of functions (or of their aliases), each with its url id. */
import type { Database } from "bun:sqlite";
import { type Page, pageOf } from "./paging.ts";
import { defineTable, json, type Row } from "./table.ts";

/** The CORS settings of a function URL, as Lambda's `Cors` structure. */
export interface UrlCors {
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  AllowOrigins?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

/** A function URL as stored. */
export interface FunctionUrlRecord {
  /** The function it invokes. */
  functionName: string;
  /** The alias it invokes, or "" for the unqualified function (`$LATEST`). */
  qualifier: string;
  /** The 32-character id that names it in its host name and path. */
  urlId: string;
  /** `NONE` (anyone) or `AWS_IAM` (SigV4-signed by a key that may invoke the function). */
  authType: "NONE" | "AWS_IAM";
  /** Answers to browsers' cross-origin requests, when set. */
  cors: UrlCors | null;
  /** `BUFFERED` or `RESPONSE_STREAM`. */
  invokeMode: "BUFFERED" | "RESPONSE_STREAM";
  /** ISO 8601 times, as Lambda reports them. */
  createdAt: string;
  lastModifiedAt: string;
}

/** Thrown when a function (or alias) already has a URL. */
export class FunctionUrlExistsError extends Error {
  /** The function. */
  readonly functionName: string;
  /** Its alias, or "". */
  readonly qualifier: string;

  constructor(functionName: string, qualifier: string) {
    super(`Function URL already exists for ${functionName}${qualifier ? `:${qualifier}` : ""}`);
    this.name = "FunctionUrlExistsError";
    this.functionName = functionName;
    this.qualifier = qualifier;
  }
}

const FUNCTION_URLS = defineTable<FunctionUrlRecord>("function_urls", {
  functionName: "function_name",
  qualifier: "qualifier",
  urlId: "url_id",
  authType: "auth_type",
  cors: json("cors"),
  invokeMode: "invoke_mode",
  createdAt: "created_at",
  lastModifiedAt: "last_modified_at",
});

/** Reads and writes function URLs. */
export class FunctionUrlRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores a new URL; throws {@linkcode FunctionUrlExistsError} when the function (or alias) has one. */
  create(record: FunctionUrlRecord): FunctionUrlRecord {
    return this.#db.transaction(() => {
      if (this.get(record.functionName, record.qualifier)) {
        throw new FunctionUrlExistsError(record.functionName, record.qualifier);
      }
      this.#db.query(FUNCTION_URLS.insert).run(...FUNCTION_URLS.toParams(record));
      return record;
    })();
  }

  /** The URL of a function (qualifier "") or alias, or null. */
  get(functionName: string, qualifier: string): FunctionUrlRecord | null {
    const row = this.#db.query<Row, [string, string]>(
      `SELECT ${FUNCTION_URLS.columns} FROM function_urls WHERE function_name = ? AND qualifier = ?`,
    ).get(functionName, qualifier);
    return row ? FUNCTION_URLS.fromRow(row) : null;
  }

  /** The URL named by `urlId`, or null. */
  byId(urlId: string): FunctionUrlRecord | null {
    const row = this.#db.query<Row, [string]>(
      `SELECT ${FUNCTION_URLS.columns} FROM function_urls WHERE url_id = ?`,
    )
      .get(urlId);
    return row ? FUNCTION_URLS.fromRow(row) : null;
  }

  /** Replaces a URL's settings (its id and creation time stay); null when there is none. */
  update(
    functionName: string,
    qualifier: string,
    change: (current: FunctionUrlRecord) => FunctionUrlRecord,
  ): FunctionUrlRecord | null {
    return this.#db.transaction(() => {
      const current = this.get(functionName, qualifier);
      if (!current) return null;
      const next = {
        ...change(current),
        functionName,
        qualifier,
        urlId: current.urlId,
        createdAt: current.createdAt,
      };
      this.#db.query(FUNCTION_URLS.insertOrReplace).run(...FUNCTION_URLS.toParams(next));
      return next;
    })();
  }

  /** Deletes a URL; false when there was none. */
  delete(functionName: string, qualifier: string): boolean {
    return this.#db.query("DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?").run(
      functionName,
      qualifier,
    ).changes > 0;
  }

  /** A page of the URLs of a function, by qualifier. */
  list(functionName: string, marker: string | undefined, maxItems: number): Page<FunctionUrlRecord> {
    const rows = this.#db.query<Row, [string]>(
      `SELECT ${FUNCTION_URLS.columns} FROM function_urls WHERE function_name = ? ORDER BY qualifier`,
    ).all(functionName).map((row) => FUNCTION_URLS.fromRow(row));
    return pageOf(rows, (record) => record.urlId, marker, maxItems);
  }

  /** Every URL, for status. */
  all(): FunctionUrlRecord[] {
    return this.#db.query<Row, []>(
      `SELECT ${FUNCTION_URLS.columns} FROM function_urls ORDER BY function_name, qualifier`,
    )
      .all().map((row) => FUNCTION_URLS.fromRow(row));
  }
}
