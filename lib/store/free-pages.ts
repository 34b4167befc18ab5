/** @module Gives the pages that deletions freed back to the file system, so the database file shrinks. */
import type { Database } from "bun:sqlite";

const AUTO_VACUUM_NONE = 0;
const AUTO_VACUUM_INCREMENTAL = 2;

/**
 * Returns the database's free pages to the file system and checkpoints the WAL so the file shrinks now, not at the
 * next automatic checkpoint. A database made before auto-vacuum was turned on is switched to
 * `auto_vacuum = INCREMENTAL` by one `VACUUM` (a rewrite of the live pages, once: call it after deleting, when the
 * file is smallest). Must not be called inside a transaction. Returns the number of pages freed.
 */
export function reclaimFreePages(db: Database): number {
  const free = pragma(db, "freelist_count");
  if (free === 0) return 0;
  const mode = pragma(db, "auto_vacuum");
  if (mode === AUTO_VACUUM_INCREMENTAL) db.run("PRAGMA incremental_vacuum");
  else if (mode === AUTO_VACUUM_NONE) {
    db.run("PRAGMA auto_vacuum = INCREMENTAL");
    db.run("VACUUM");
  }
  db.run("PRAGMA wal_checkpoint(PASSIVE)");
  return free;
}

function pragma(db: Database, name: "freelist_count" | "auto_vacuum"): number {
  const row = db.query<Record<string, number>, []>(`PRAGMA ${name}`).get();
  return row?.[name] ?? 0;
}
