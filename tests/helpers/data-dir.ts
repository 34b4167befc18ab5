/** @module Looks into an agent's data dir from outside: its size on disk, its code folders and its code rows. */
import { Database } from "bun:sqlite";
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** What SQLite writes anyway and reuses: the WAL and its index, left out of {@linkcode dataDirBytes}. */
const SCRATCH = new Set(["lambdalet.db-wal", "lambdalet.db-shm"]);

function withDatabase<T>(dataDir: string, use: (db: Database) => T): T {
  const db = new Database(join(dataDir, "lambdalet.db"));
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/**
 * The size of a data dir as `du --apparent-size` counts it (files, folders and links), once the WAL has been
 * checkpointed into the database file, leaving out the WAL and its index.
 */
export function dataDirBytes(dataDir: string): number {
  withDatabase(dataDir, (db) => db.run("PRAGMA wal_checkpoint(TRUNCATE)"));
  const walk = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((sum, item) => {
      if (dir === dataDir && SCRATCH.has(item.name)) return sum;
      const path = join(dir, item.name);
      return sum + lstatSync(path).size + (item.isDirectory() ? walk(path) : 0);
    }, 0);
  return walk(dataDir);
}

/** The names in the data dir's `code/` folder (extracted code is `code/<sha256>`), sorted. */
export function codeFolders(dataDir: string): string[] {
  return readdirSync(join(dataDir, "code")).sort();
}

/** The hex SHA-256 of every zip in the `code` table, sorted. */
export function codeRows(dataDir: string): string[] {
  return withDatabase(
    dataDir,
    (db) =>
      db.query<{ sha256: string }, []>("SELECT sha256 FROM code ORDER BY sha256").all().map((row) =>
        row.sha256
      ),
  );
}
