/** @module Each function's own uid (its gid has the same number): allocated once per name from a reserved range. */
import type { Database } from "bun:sqlite";
import type { UidRange } from "../config/mod.ts";
import { defineTable } from "./table.ts";

/** Thrown when every uid of the range belongs to a function (or to a host user or group). */
export class UidRangeFullError extends Error {
  constructor(functionName: string, range: UidRange) {
    super(
      `Cannot give function '${functionName}' a uid of its own as every uid of 'functionUidRange' (${range.first}-${
        range.first + range.count - 1
      }) is taken: widen it in the agent config`,
    );
    this.name = "UidRangeFullError";
  }
}

const FUNCTION_UIDS = defineTable<{ functionName: string; uid: number }>("function_uids", {
  functionName: "function_name",
  uid: "uid",
});

/**
 * The `function_uids` table. A row stays when its function is deleted: files the function left behind (in a
 * read-write volume, in a NoContainer worker's host paths) are owned by its uid, so the uid is never handed to
 * another function, and a function created again under the same name gets its own uid (and files) back.
 */
export class FunctionUidRepository {
  readonly #db: Database;
  /** Recorded uids, read once: only {@linkcode allocate} changes a row (every invocation asks). */
  readonly #known = new Map<string, number>();

  constructor(db: Database) {
    this.#db = db;
  }

  /** The uid recorded for `functionName`, or null. */
  get(functionName: string): number | null {
    const known = this.#known.get(functionName);
    if (known !== undefined) return known;
    const uid =
      this.#db.query<{ uid: number }, [string]>("SELECT uid FROM function_uids WHERE function_name = ?")
        .get(functionName)?.uid ?? null;
    if (uid !== null) this.#known.set(functionName, uid);
    return uid;
  }

  /**
   * The uid of `functionName`: the one it was given before, else the lowest uid of `range` that no function holds
   * and `taken` does not claim (a host user or group), recorded for good. A uid recorded outside `range` (the
   * range was changed) is replaced by one inside it. Throws {@linkcode UidRangeFullError} when none is left.
   */
  allocate(functionName: string, range: UidRange, taken: (uid: number) => boolean = () => false): number {
    const current = this.get(functionName);
    const end = range.first + range.count;
    if (current !== null && current >= range.first && current < end) return current;
    return this.#db.transaction(() => {
      const used = new Set(
        this.#db.query<{ uid: number }, [number, number]>(
          "SELECT uid FROM function_uids WHERE uid >= ? AND uid < ?",
        ).all(range.first, end).map((row) => row.uid),
      );
      for (let uid = range.first; uid < end; uid++) {
        if (used.has(uid) || taken(uid)) continue;
        this.#db.query(`${FUNCTION_UIDS.insert} ON CONFLICT (function_name) DO UPDATE SET uid = excluded.uid`)
          .run(...FUNCTION_UIDS.toParams({ functionName, uid }));
        this.#known.set(functionName, uid);
        return uid;
      }
      throw new UidRangeFullError(functionName, range);
    })();
  }
}
