/**
 * @module The device's report in the hub's status bucket (`device.<id>`): what it was asked to run, its last
 * deployment, its functions, what it refused, its version and isolation. Written after each attempt or refusal, on
 * each reconnection and every `heartbeatSeconds`; writes are coalesced, never concurrent.
 */
import { Kvm } from "@nats-io/kv";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Refusal } from "./fleet-state.ts";
import { STATUS_BUCKET, statusKey } from "./names.ts";
import type { GroupSelection } from "./selection.ts";

/** The format tag of device status values. */
export const STATUS_FORMAT = "lambdalet-status/1";

/** A function the fleet deployed, as the device reports it. */
export interface FunctionReport {
  /** Always `$LATEST`: deployments set it. */
  version: string;
  /** The hex SHA-256 of its code, or null when it no longer exists. */
  codeSha256: string | null;
  /** What the last deployment made of it: `APPLIED`, `STARTED`, `FAILED: …`, `ROLLED_BACK`, `REMOVED`, `CREATED`, … */
  state: string;
  /** The last failure of its pinned worker, while it is failing. */
  lastError: string | null;
}

/** The value of `device.<id>` in the status bucket. */
export interface DeviceStatus {
  format: typeof STATUS_FORMAT;
  device: string;
  groups: string[];
  /** lambdalet's version line (`0.1.0 (commit …, bun-linux-arm64)`). */
  agentVersion: string;
  /** `GreengrassContainer`, or `NoContainer: <why>` when the host cannot isolate workers. */
  isolation: string;
  /** Per group, the key, revision and document digest of what the deployment below applies (null: nothing). */
  desired: Record<string, GroupSelection | null>;
  /** The attempt under way or the last one: merged digest, local deployment id, how it ended. */
  deployment: {
    digest: string;
    id: string | null;
    status: "DOWNLOADING" | "IN_PROGRESS" | "COMPLETED" | "FAILED" | "ROLLED_BACK";
    error: string | null;
    finishedAt: string | null;
  } | null;
  /** The functions that deployment named, by name. */
  functions: Record<string, FunctionReport>;
  /** The newest refused entries of the group keys. */
  refused: Refusal[];
  /** When this report was written, by the device's clock (the entry's own time is the hub's). */
  reportedAt: string;
}

/** Options of {@linkcode StatusWriter}. */
export interface StatusWriterOptions {
  device: string;
  /** Builds the report as it is now. */
  build(): Omit<DeviceStatus, "reportedAt">;
  /** Seconds between reports when nothing happens. */
  heartbeatSeconds: number;
  /** Lines for the agent's log. */
  warn(line: string): void;
}

/** Writes the device's report to the hub. */
export class StatusWriter {
  readonly #nc: NatsConnection;
  readonly #options: StatusWriterOptions;
  #kv: KV | null = null;
  #writing: Promise<void> | null = null;
  #again = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastProblem = "";
  #stopped = false;

  constructor(nc: NatsConnection, options: StatusWriterOptions) {
    this.#nc = nc;
    this.#options = options;
  }

  /** Writes now and every `heartbeatSeconds` until stopped. */
  start(): void {
    this.write();
    this.#timer = setInterval(() => this.write(), this.#options.heartbeatSeconds * 1000);
    this.#timer.unref?.();
  }

  /** Writes the report soon (once more after the write under way, if any). */
  write(): void {
    if (this.#stopped) return;
    if (this.#writing) {
      this.#again = true;
      return;
    }
    this.#writing = this.#put().finally(() => {
      this.#writing = null;
      if (this.#again) {
        this.#again = false;
        this.write();
      }
    });
  }

  /** Resolves once no write is under way. */
  async flushed(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** Stops the heartbeat (a write under way finishes). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#again = false;
    await this.flushed();
  }

  async #put(): Promise<void> {
    const report: DeviceStatus = { ...this.#options.build(), reportedAt: new Date().toISOString() };
    try {
      this.#kv ??= await new Kvm(this.#nc).open(STATUS_BUCKET);
      await this.#kv.put(statusKey(this.#options.device), JSON.stringify(report));
      if (this.#lastProblem) this.#options.warn("lambdalet: fleet: reporting status again");
      this.#lastProblem = "";
    } catch (error) {
      if (this.#stopped) return;
      const problem = error instanceof Error ? error.message : String(error);
      if (problem !== this.#lastProblem) {
        this.#options.warn(`lambdalet: fleet: cannot report status (${problem}): trying again later`);
        this.#lastProblem = problem;
      }
    }
  }
}
