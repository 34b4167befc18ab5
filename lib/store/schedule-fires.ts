/** @module When each schedule of each function was first seen and last fired, so that no time fires twice. */
import type { Database } from "bun:sqlite";
import { defineTable, type Row } from "./table.ts";

/** One schedule's stored times. */
export interface ScheduleFireRecord {
  functionName: string;
  /** Names the schedule within its function: its index, expression and time zone. */
  scheduleKey: string;
  /** Epoch ms when the schedule was first seen (a `rate` counts its periods from it). */
  anchorAt: number;
  /** Epoch ms of the scheduled time last handed on, or null before the first. */
  lastFireAt: number | null;
}

const SCHEDULE_FIRES = defineTable<ScheduleFireRecord>("schedule_fires", {
  functionName: "function_name",
  scheduleKey: "schedule_key",
  anchorAt: "anchor_at",
  lastFireAt: "last_fire_at",
});

/** The `schedule_fires` table; its rows go with their function (and when a schedule is removed). */
export class ScheduleFireRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** The record of a schedule, created with `anchorAt` (and no fire) when there is none yet. */
  ensure(functionName: string, scheduleKey: string, anchorAt: number): ScheduleFireRecord {
    this.#db.query(`${SCHEDULE_FIRES.insert} ON CONFLICT (function_name, schedule_key) DO NOTHING`)
      .run(...SCHEDULE_FIRES.toParams({ functionName, scheduleKey, anchorAt, lastFireAt: null }));
    return SCHEDULE_FIRES.fromRow(
      this.#db.query(
        `SELECT ${SCHEDULE_FIRES.columns} FROM schedule_fires WHERE function_name = ? AND schedule_key = ?`,
      ).get(functionName, scheduleKey) as Row,
    );
  }

  /** Records that the scheduled time `at` was handed on (durably: `synchronous = FULL`). */
  recordFire(functionName: string, scheduleKey: string, at: number): void {
    this.#db.query("UPDATE schedule_fires SET last_fire_at = ? WHERE function_name = ? AND schedule_key = ?")
      .run(at, functionName, scheduleKey);
  }

  /** Deletes the records of `functionName` whose keys are not in `keys` (all of them when `keys` is empty). */
  keepOnly(functionName: string, keys: readonly string[]): void {
    const rows = this.#db.query<{ schedule_key: string }, [string]>(
      "SELECT schedule_key FROM schedule_fires WHERE function_name = ?",
    ).all(functionName);
    const kept = new Set(keys);
    const remove = this.#db.query("DELETE FROM schedule_fires WHERE function_name = ? AND schedule_key = ?");
    this.#db.transaction(() => {
      for (const { schedule_key } of rows) {
        if (!kept.has(schedule_key)) remove.run(functionName, schedule_key);
      }
    })();
  }
}
