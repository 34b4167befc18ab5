/** @module A table's columns declared once: the SQL column lists and the mapping between its rows and records. */

/** A value as SQLite stores it and bun:sqlite reads it back. */
export type Stored = string | number | bigint | Uint8Array | null;

/** A row as bun:sqlite reads it: values by column name. */
export type Row = Record<string, Stored>;

/** A column whose stored value differs from its field's: its name and the conversions both ways. */
export interface Column<T> {
  /** The column's name. */
  name: string;
  /** The field's value as stored. */
  encode(value: T): Stored;
  /** The stored value as the field's. */
  decode(stored: Stored): T;
}

/**
 * The columns of the record type `R`, one per field: the column's name when the value is stored as it is, else a
 * {@linkcode Column}. Columns not listed (those a migration gave a default) are left to SQLite.
 */
export type Columns<R> = { [K in keyof R]-?: Column<R[K]> | (R[K] extends Stored ? string : never) };

/** A table's SQL and row mapping, from {@linkcode defineTable}. */
export interface Table<R> {
  /** The table's name. */
  readonly name: string;
  /** The columns, comma-separated in declaration order, for `SELECT`. */
  readonly columns: string;
  /** `INSERT INTO name (columns) VALUES (?, …)`, its parameters from {@linkcode Table.toParams}. */
  readonly insert: string;
  /** The same as {@linkcode Table.insert} with `OR REPLACE`. */
  readonly insertOrReplace: string;
  /** The record a row of all {@linkcode Table.columns} holds. */
  fromRow(row: Row): R;
  /** The stored values of a record, in the order of {@linkcode Table.columns}. */
  toParams(record: R): Stored[];
}

/** Declares the table `name` whose rows hold records of type `R` in `columns`. */
export function defineTable<R>(name: string, columns: Columns<R>): Table<R> {
  const fields = Object.entries<Column<unknown> | string>(columns).map(([field, column]) => ({
    field,
    column: typeof column === "string" ? asIs(column) : column,
  }));
  const list = fields.map(({ column }) => column.name).join(", ");
  const values = `(${list}) VALUES (${fields.map(() => "?").join(", ")})`;
  return {
    name,
    columns: list,
    insert: `INSERT INTO ${name} ${values}`,
    insertOrReplace: `INSERT OR REPLACE INTO ${name} ${values}`,
    fromRow: (row) =>
      Object.fromEntries(
        fields.map(({ field, column }) => [field, column.decode(row[column.name] ?? null)]),
      ) as R,
    toParams: (record) =>
      fields.map(({ field, column }) => column.encode((record as Record<string, unknown>)[field])),
  };
}

/** A column holding its field as JSON text. */
export function json<T>(name: string): Column<T> {
  return {
    name,
    encode: (value) => JSON.stringify(value),
    decode: (stored) => JSON.parse(stored as string) as T,
  };
}

function asIs(name: string): Column<unknown> {
  return { name, encode: (value) => value as Stored, decode: (stored) => stored };
}
