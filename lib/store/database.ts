/** @module Opens the SQLite file with safe settings and brings its schema up to date. */
import { Database } from "bun:sqlite";
import { chmodSync } from "node:fs";
import { MIGRATIONS } from "./migrations.ts";

/** Thrown when the database was written by a newer lambdalet than this one. */
export class SchemaTooNewError extends Error {
  constructor(found: number, known: number) {
    super(
      `Cannot open the database as its schema version ${found} is newer than this lambdalet knows (${known}): it was written by a newer lambdalet. Run that version again, or restore a backup of the data dir made before the upgrade`,
    );
    this.name = "SchemaTooNewError";
  }
}

/**
 * Opens (creating if needed) the database at `path`, in WAL mode with foreign keys on, migrated; a new file gets
 * incremental auto-vacuum, so that deleted code can give its pages back.
 */
export function openDatabase(path: string): Database {
  const db = new Database(path, { create: true, strict: true });
  if (path !== ":memory:") chmodSync(path, 0o600);
  // takes effect in a new file only (before its first table); older files are switched by `reclaimFreePages`
  db.run("PRAGMA auto_vacuum = INCREMENTAL");
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = FULL");
  db.run("PRAGMA foreign_keys = ON");
  db.run("PRAGMA busy_timeout = 5000");
  migrate(db);
  return db;
}

function migrate(db: Database): void {
  const row = db.query<{ user_version: number }, []>("PRAGMA user_version").get();
  const current = row?.user_version ?? 0;
  if (current > MIGRATIONS.length) throw new SchemaTooNewError(current, MIGRATIONS.length);
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.run(MIGRATIONS[version]!);
      db.run(`PRAGMA user_version = ${version + 1}`);
    })();
  }
}
