/** @module The SQLite file: WAL, migrations counted in user_version, and a refusal of newer schemas. */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { join } from "node:path";
import { MIGRATIONS } from "../../lib/store/migrations.ts";
import { openDatabase, SchemaTooNewError } from "../../lib/store/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

describe("openDatabase()", () => {
  test("openDatabase() creates a 0600 WAL file at the latest schema version, and reopens it unchanged", () => {
    const path = join(tempDir(), "db.sqlite");
    const db = openDatabase(path);
    expect(db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode).toBe("wal");
    expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(
      MIGRATIONS.length,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    db.close();
    const again = openDatabase(path);
    expect(again.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(
      MIGRATIONS.length,
    );
    again.close();
  });

  test("openDatabase() refuses a database written by a newer lambdalet", () => {
    const path = join(tempDir(), "db.sqlite");
    const raw = new Database(path, { create: true });
    raw.run(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openDatabase(path)).toThrow(SchemaTooNewError);
  });
});
