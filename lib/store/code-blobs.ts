/** @module Code zips kept in the database, one row per SHA-256. */
import type { Database } from "bun:sqlite";

/** The code table: zips addressed by their hex SHA-256. */
export class CodeBlobs {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores a zip under its hex SHA-256; storing the same zip twice keeps one row. */
  put(sha256: string, zip: Uint8Array): void {
    this.#db.query(
      "INSERT OR IGNORE INTO code (sha256, size, zip, created_at) VALUES (?, ?, ?, ?)",
    ).run(sha256, zip.byteLength, zip, new Date().toISOString());
  }

  /** The zip stored under `sha256`, or null. */
  get(sha256: string): Uint8Array | null {
    const row = this.#db.query<{ zip: Uint8Array }, [string]>("SELECT zip FROM code WHERE sha256 = ?").get(
      sha256,
    );
    return row?.zip ?? null;
  }
}
