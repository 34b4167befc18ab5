/** @module defineTable(): one declaration of a table's columns gives its SQL column lists and row mapping. */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { type Columns, defineTable, json, type Row } from "../../lib/store/table.ts";

interface Thing {
  id: string;
  count: number;
  note: string | null;
  data: Uint8Array;
  labels: Record<string, string>;
  active: boolean;
}

const THINGS = defineTable<Thing>("things", {
  id: "id",
  count: "count_",
  note: "note",
  data: "data",
  labels: json("labels"),
  active: { name: "active", encode: (active) => active ? 1 : 0, decode: (stored) => stored === 1 },
});

function thingsDb(): Database {
  const db = new Database(":memory:", { strict: true });
  db.run(`CREATE TABLE things (
    id TEXT PRIMARY KEY, count_ INTEGER NOT NULL, note TEXT, data BLOB NOT NULL, labels TEXT NOT NULL,
    active INTEGER NOT NULL, extra TEXT NOT NULL DEFAULT 'x'
  ) STRICT`);
  return db;
}

const thing: Thing = {
  id: "a",
  count: 3,
  note: null,
  data: new Uint8Array([1, 2, 3]),
  labels: { k: "v" },
  active: true,
};

describe("defineTable()", () => {
  test("defineTable() lists the columns in declaration order for SELECT and INSERT", () => {
    expect(THINGS.name).toBe("things");
    expect(THINGS.columns).toBe("id, count_, note, data, labels, active");
    expect(THINGS.insert).toBe(
      "INSERT INTO things (id, count_, note, data, labels, active) VALUES (?, ?, ?, ?, ?, ?)",
    );
    expect(THINGS.insertOrReplace).toBe(
      "INSERT OR REPLACE INTO things (id, count_, note, data, labels, active) VALUES (?, ?, ?, ?, ?, ?)",
    );
  });

  test("toParams() encodes each field by its column, in the order of the column list", () => {
    expect(THINGS.toParams(thing)).toEqual(["a", 3, null, new Uint8Array([1, 2, 3]), '{"k":"v"}', 1]);
  });

  test("fromRow() decodes a row read back into the record that was inserted", () => {
    const db = thingsDb();
    db.query(THINGS.insert).run(...THINGS.toParams(thing));
    const row = db.query<Row, [string]>(`SELECT ${THINGS.columns} FROM things WHERE id = ?`).get("a");
    expect(THINGS.fromRow(row!)).toEqual(thing);
    db.close();
  });

  test("fromRow() ignores columns that are not declared", () => {
    const db = thingsDb();
    db.query(THINGS.insert).run(...THINGS.toParams(thing));
    const row = db.query<Row, []>("SELECT * FROM things").get();
    expect(Object.keys(THINGS.fromRow(row!)).sort()).toEqual([
      "active",
      "count",
      "data",
      "id",
      "labels",
      "note",
    ]);
    db.close();
  });

  test("insertOrReplace replaces the row with the same key", () => {
    const db = thingsDb();
    db.query(THINGS.insert).run(...THINGS.toParams(thing));
    db.query(THINGS.insertOrReplace).run(...THINGS.toParams({ ...thing, count: 4, active: false }));
    const rows = db.query<Row, []>(`SELECT ${THINGS.columns} FROM things`).all().map(THINGS.fromRow);
    expect(rows).toEqual([{ ...thing, count: 4, active: false }]);
    db.close();
  });

  test("Columns<R> refuses a bare column name for a field SQLite cannot hold as it is", () => {
    const columns: Columns<{ tags: Record<string, string>; n: number }> = {
      // @ts-expect-error: an object needs a codec such as json()
      tags: "tags",
      n: "n",
    };
    const decoded: Columns<{ n: number }> = {
      // @ts-expect-error: json() must decode to the field's type
      n: json<string>("n"),
    };
    expect([columns, decoded]).toHaveLength(2);
  });
});
