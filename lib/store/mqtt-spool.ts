/** @module The spool of messages waiting for the MQTT broker: in order, bounded, the oldest dropped first. */
import type { Database } from "bun:sqlite";
import { defineTable, type Row } from "./table.ts";

/** One message waiting for the broker. */
export interface SpooledMessage {
  /** Its place in the spool: messages go out in this order. */
  id: number;
  /** The topic on the broker. */
  topic: string;
  payload: Uint8Array;
  /** Bytes it counts for against the bound: topic and payload. */
  size: number;
  /** Epoch ms when it was spooled. */
  spooledAt: number;
}

/** The bounds of the spool: past either, the oldest messages go. */
export interface SpoolBounds {
  /** Bytes of topics and payloads, in all. */
  maxSizeInBytes: number;
  /** Messages, in all. */
  maxMessages: number;
}

/** What {@linkcode MqttSpool.add} did. */
export interface SpoolResult {
  /** The new message's id, or null when it alone is larger than the bound (dropped at once). */
  id: number | null;
  /** How many messages were dropped to make room (the new one included when it was too large). */
  dropped: number;
}

const SPOOL = defineTable<Omit<SpooledMessage, "id">>("mqtt_spool", {
  topic: "topic",
  payload: "payload",
  size: "size",
  spooledAt: "spooled_at",
});

/** The `mqtt_spool` table. */
export class MqttSpool {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /**
   * Appends a message, then drops the oldest until the spool is within `bounds`, in one transaction (inside the
   * caller's, when there is one).
   */
  add(topic: string, payload: Uint8Array, bounds: SpoolBounds, now = Date.now()): SpoolResult {
    const size = payload.byteLength + new TextEncoder().encode(topic).byteLength;
    if (size > bounds.maxSizeInBytes) return { id: null, dropped: 1 };
    return this.#db.transaction(() => {
      const id = Number(
        this.#db.query(SPOOL.insert).run(...SPOOL.toParams({ topic, payload, size, spooledAt: now }))
          .lastInsertRowid,
      );
      let { count, bytes } = this.depth();
      let dropped = 0;
      while (count > bounds.maxMessages || bytes > bounds.maxSizeInBytes) {
        const oldest = this.#db.query<{ id: number; size: number }, []>(
          "SELECT id, size FROM mqtt_spool ORDER BY id LIMIT 1",
        ).get();
        if (!oldest) break;
        this.remove(oldest.id);
        count--;
        bytes -= oldest.size;
        dropped++;
      }
      return { id, dropped };
    })();
  }

  /** Up to `limit` messages after the id `after`, oldest first. */
  next(after: number, limit: number): SpooledMessage[] {
    return this.#db.query<Row, [number, number]>(
      `SELECT id, ${SPOOL.columns} FROM mqtt_spool WHERE id > ? ORDER BY id LIMIT ?`,
    ).all(after, limit).map((row) => ({ id: Number(row.id), ...SPOOL.fromRow(row) }));
  }

  /** Removes a message the broker acknowledged (or one dropped). */
  remove(id: number): void {
    this.#db.query("DELETE FROM mqtt_spool WHERE id = ?").run(id);
  }

  /** Messages and bytes waiting. */
  depth(): { count: number; bytes: number } {
    const row = this.#db.query<{ count: number; bytes: number | null }, []>(
      "SELECT COUNT(*) AS count, SUM(size) AS bytes FROM mqtt_spool",
    ).get();
    return { count: row?.count ?? 0, bytes: row?.bytes ?? 0 };
  }
}
