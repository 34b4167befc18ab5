/** @module Code zips kept in the database, one row per SHA-256. */
import type { Database } from "bun:sqlite";
import { referencedCode, referencedLayerLists } from "./code-references.ts";
import { reclaimFreePages } from "./free-pages.ts";

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

  /** The hex SHA-256 of every stored zip. */
  list(): string[] {
    return this.#db.query<{ sha256: string }, []>("SELECT sha256 FROM code").all().map((row) => row.sha256);
  }

  /** The zips something stored still needs (function versions, deployment states): see `referencedCode`. */
  referenced(): Set<string> {
    return referencedCode(this.#db);
  }

  /** The ordered layer lists of function versions and deployment states: their merged trees are still needed. */
  referencedLayerLists(): string[][] {
    return referencedLayerLists(this.#db);
  }

  /**
   * Deletes the zips of `sha256s` in one transaction, then gives the freed pages back to the file system. A zip a
   * function version still uses is refused by the foreign key: check {@linkcode CodeBlobs.referenced} first. Inside
   * an outer transaction the pages are left for the next call to reclaim.
   * Returns how many rows went.
   */
  delete(sha256s: readonly string[]): number {
    if (sha256s.length === 0) return 0;
    const remove = this.#db.query<never, [string]>("DELETE FROM code WHERE sha256 = ?");
    const deleted = this.#db.transaction(() =>
      sha256s.reduce((n, sha256) => n + remove.run(sha256).changes, 0)
    )();
    if (deleted && !this.#db.inTransaction) reclaimFreePages(this.#db);
    return deleted;
  }
}
