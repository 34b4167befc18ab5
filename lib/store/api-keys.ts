/** @module The API keys the agent verifies signatures with: admin keys and keys that may only invoke. */
import type { Database } from "bun:sqlite";
import { defineTable, json, type Row } from "./table.ts";

/** What a key may do: `admin` everything, `invoke` only Invoke of its functions, `metrics` only read `/metrics`. */
export type KeyScope = "admin" | "invoke" | "metrics";

/** One stored key. */
export interface ApiKeyRecord {
  /** The public half, sent in every signature's credential scope. */
  accessKeyId: string;
  /** The secret half; stored because SigV4 verification recomputes the HMAC with it. */
  secret: string;
  /** What the key may do. */
  scope: KeyScope;
  /** For `invoke` keys, the function names it may invoke; `["*"]` for all. Empty for admin keys. */
  functions: string[];
  /** A note for people (`default` for the key of the credentials file). */
  description: string;
  /** ISO date of creation (or of the last rotation). */
  createdAt: string;
}

const API_KEYS = defineTable<ApiKeyRecord>("api_keys", {
  accessKeyId: "access_key_id",
  secret: "secret",
  scope: {
    name: "scope",
    encode: (scope) => scope,
    decode: (stored) => stored === "admin" || stored === "metrics" ? stored : "invoke",
  },
  functions: json("functions"),
  description: "description",
  createdAt: "created_at",
});

/** Reads and writes API keys. */
export class ApiKeyRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores a new key. */
  insert(key: ApiKeyRecord): void {
    this.#db.query(API_KEYS.insert).run(...API_KEYS.toParams(key));
  }

  /** The key with this id, or null. */
  get(accessKeyId: string): ApiKeyRecord | null {
    const row = this.#db.query<Row, [string]>(
      `SELECT ${API_KEYS.columns} FROM api_keys WHERE access_key_id = ?`,
    )
      .get(accessKeyId);
    return row ? API_KEYS.fromRow(row) : null;
  }

  /** The first key with this description, or null (the credentials file's key is `default`). */
  findByDescription(description: string): ApiKeyRecord | null {
    const row = this.#db.query<Row, [string]>(
      `SELECT ${API_KEYS.columns} FROM api_keys WHERE description = ? ORDER BY created_at LIMIT 1`,
    ).get(description);
    return row ? API_KEYS.fromRow(row) : null;
  }

  /** Every key, oldest first. */
  list(): ApiKeyRecord[] {
    return this.#db.query<Row, []>(
      `SELECT ${API_KEYS.columns} FROM api_keys ORDER BY created_at, access_key_id`,
    )
      .all().map(API_KEYS.fromRow);
  }

  /** Replaces a key's secret; false when there is no such key. */
  setSecret(accessKeyId: string, secret: string, createdAt: string): boolean {
    return this.#db.query("UPDATE api_keys SET secret = ?, created_at = ? WHERE access_key_id = ?")
      .run(secret, createdAt, accessKeyId).changes > 0;
  }

  /** Deletes a key; false when there was none. */
  delete(accessKeyId: string): boolean {
    return this.#db.query("DELETE FROM api_keys WHERE access_key_id = ?").run(accessKeyId).changes > 0;
  }
}
