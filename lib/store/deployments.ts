/** @module Deployment history: each deployment's document, the state it replaced, and how it ended. */
import type { Database } from "bun:sqlite";
import type { FunctionConfig } from "../config/mod.ts";
import { defineTable, json, type Row } from "./table.ts";

/** How a deployment ended, or that it is under way. */
export type DeploymentStatus = "IN_PROGRESS" | "COMPLETED" | "FAILED" | "ROLLED_BACK";

/** Who asked for a deployment: `lambdalet deploy` and the API (`local`), or the fleet's hub (`fleet`). */
export type DeploymentOrigin = "local" | "fleet";

/** One function as a deployment sets it: its `$LATEST` configuration and tags. */
export interface DeployedFunction {
  config: FunctionConfig;
  tags: Record<string, string>;
}

/** A deployment as stored. */
export interface DeploymentRecord {
  id: string;
  createdAt: string;
  status: DeploymentStatus;
  /** `ROLLBACK` (the default) or `DO_NOTHING`. */
  policy: "ROLLBACK" | "DO_NOTHING";
  /** The functions this deployment sets, by name; null for each it removes. */
  functions: Record<string, DeployedFunction | null>;
  /** The same functions (and those it removes) as they were before, by name; null where one did not exist. */
  previous: Record<string, DeployedFunction | null>;
  /** Why it failed. */
  error: string | null;
  /**
   * Per function: `APPLIED`, `STARTED`, `REMOVED`, `FAILED: ...`, `ROLLED_BACK`; while under way also `CREATED` or
   * `UPDATED` (its `$LATEST` written, its workers not yet checked).
   */
  functionStatus: Record<string, string>;
}

const DEPLOYMENTS = defineTable<DeploymentRecord>("deployments", {
  id: "id",
  createdAt: "created_at",
  status: "status",
  policy: "policy",
  functions: json("document"),
  previous: json("previous"),
  error: "error",
  functionStatus: json("function_status"),
});

/** Reads and writes the deployments table. */
export class DeploymentRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Records a deployment as it starts, with who asked for it. */
  insert(record: DeploymentRecord, origin: DeploymentOrigin = "local"): void {
    const params = DEPLOYMENTS.toParams(record);
    this.#db.query(
      `INSERT INTO deployments (${DEPLOYMENTS.columns}, origin) VALUES (${
        params.map(() => "?").join(", ")
      }, ?)`,
    ).run(...params, origin);
  }

  /** Who asked for a deployment, or null when there is no such deployment. */
  originOf(id: string): DeploymentOrigin | null {
    const row = this.#db.query<{ origin: DeploymentOrigin }, [string]>(
      "SELECT origin FROM deployments WHERE id = ?",
    )
      .get(id);
    return row?.origin ?? null;
  }

  /** Records how a deployment ended. */
  finish(
    id: string,
    status: DeploymentStatus,
    error: string | null,
    functionStatus: Record<string, string>,
  ): void {
    this.#db.query("UPDATE deployments SET status = ?, error = ?, function_status = ? WHERE id = ?").run(
      status,
      error,
      JSON.stringify(functionStatus),
      id,
    );
  }

  /** Records how far a deployment under way has got with each function (a finished one is left as it ended). */
  progress(id: string, functionStatus: Record<string, string>): void {
    this.#db.query("UPDATE deployments SET function_status = ? WHERE id = ? AND status = 'IN_PROGRESS'").run(
      JSON.stringify(functionStatus),
      id,
    );
  }

  /** One deployment, or null. */
  get(id: string): DeploymentRecord | null {
    const row = this.#db.query<Row, [string]>(`SELECT ${DEPLOYMENTS.columns} FROM deployments WHERE id = ?`)
      .get(id);
    return row ? DEPLOYMENTS.fromRow(row) : null;
  }

  /** Every deployment, newest first. */
  list(): DeploymentRecord[] {
    return this.#db.query<Row, []>(
      `SELECT ${DEPLOYMENTS.columns} FROM deployments ORDER BY created_at DESC, rowid DESC`,
    ).all().map(DEPLOYMENTS.fromRow);
  }

  /** Deployments that were under way when the agent stopped. */
  interrupted(): DeploymentRecord[] {
    return this.list().filter((record) => record.status === "IN_PROGRESS");
  }

  /**
   * The states the agent may still write back: the `previous` state of the newest completed deployment (what
   * `lambdalet deployments rollback` applies; a rollback is itself a deployment, so one level is all it reaches),
   * and both states of each deployment under way (it writes one, and recovery after a crash the other). Their code
   * must be kept; older deployments are history only.
   */
  returnable(): Record<string, DeployedFunction | null>[] {
    const records = this.#db.query<Row, []>(
      `SELECT ${DEPLOYMENTS.columns} FROM deployments WHERE status = 'IN_PROGRESS' OR rowid = (
         SELECT rowid FROM deployments WHERE status = 'COMPLETED' ORDER BY created_at DESC, rowid DESC LIMIT 1)`,
    ).all().map(DEPLOYMENTS.fromRow);
    return records.flatMap((record) =>
      record.status === "IN_PROGRESS" ? [record.previous, record.functions] : [record.previous]
    );
  }

  /** The newest completed deployment (of `origin` when given), or null. */
  latestCompleted(origin?: DeploymentOrigin): DeploymentRecord | null {
    const row = this.#db.query<Row, [string, string]>(
      `SELECT ${DEPLOYMENTS.columns} FROM deployments WHERE status = 'COMPLETED' AND (origin = ? OR ? = '')
       ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    ).get(origin ?? "", origin ?? "");
    return row ? DEPLOYMENTS.fromRow(row) : null;
  }
}
