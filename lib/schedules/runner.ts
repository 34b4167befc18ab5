/**
 * @module Runs the schedules of every function's `$LATEST`: hands a Scheduled Event on at each scheduled time,
 * never twice for one time (the time is stored before the event is handed on), across restarts too.
 */
import type { ScheduleSource } from "../config/mod.ts";
import { LATEST, type Store } from "../store/mod.ts";
import { type ScheduleClock, SYSTEM_CLOCK } from "./clock.ts";
import {
  type FireTimeOptions,
  lastFireTimeBetween,
  nextFireTime,
  parseScheduleExpression,
  type ScheduleExpression,
} from "./expression.ts";
import { eventTime, scheduledEvent } from "./scheduled-event.ts";

/** What a {@linkcode ScheduleRunner} works with. */
export interface ScheduleRunnerDeps {
  /** Functions (their `$LATEST` settings) and the stored fire times. */
  store: Pick<Store, "functions" | "scheduleFires">;
  /** Hands a Scheduled Event to `functionName` (the control plane queues it as an Event invocation). */
  fire(functionName: string, event: Uint8Array): void;
}

/** Options of {@linkcode ScheduleRunner}. */
export interface ScheduleRunnerOptions {
  /** The region named in events. */
  region: string;
  /** The account id named in events. */
  accountId: string;
  /** The time and timers. @default SYSTEM_CLOCK */
  clock?: ScheduleClock;
}

/** One schedule as `/status` shows it. */
export interface ScheduleStatus {
  functionName: string;
  expression: string;
  timezone: string;
  /** When it fires next (ISO 8601, UTC), or null when it never will. */
  nextFireAt: string | null;
  /** The scheduled time it last fired for, or null. */
  lastFireAt: string | null;
}

interface Entry {
  functionName: string;
  index: number;
  source: ScheduleSource;
  key: string;
  expression: ScheduleExpression;
  times: FireTimeOptions;
  lastFireAt: number | null;
  nextAt: number | null;
  timer?: unknown;
}

/** Timers wake at least this often, so that a clock set forward or back (NTP on a device without RTC) is noticed. */
const MAX_SLEEP_MS = 60_000;

/** Fires the schedules (`Edge.eventSources` of type `SCHEDULE`) of every function's `$LATEST`. */
export class ScheduleRunner {
  readonly #deps: ScheduleRunnerDeps;
  readonly #options: ScheduleRunnerOptions;
  readonly #clock: ScheduleClock;
  readonly #entries = new Map<string, Entry[]>();
  #running = false;

  constructor(deps: ScheduleRunnerDeps, options: ScheduleRunnerOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** Reads every function's schedules and arms them; runs the last missed fire of those with `catchUp: LAST`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const names = new Set(
      this.#deps.store.functions.listAllVersions().map((config) => config.functionName),
    );
    for (const name of names) this.refresh(name);
  }

  /** Cancels every timer; stored times stay for the next start. */
  stop(): void {
    this.#running = false;
    for (const name of [...this.#entries.keys()]) this.#clear(name);
  }

  /** Reads the schedules of `functionName` again (it changed): a deleted function's schedules stop and their times go. */
  refresh(functionName: string): void {
    if (!this.#running) return;
    this.#clear(functionName);
    const config = this.#deps.store.functions.getVersion(functionName, LATEST);
    const sources = (config?.edge.eventSources ?? []).flatMap((source, index) =>
      source.type === "SCHEDULE"
        ? [{ source, index, key: `${index}|${source.timezone}|${source.expression}` }]
        : []
    );
    this.#deps.store.scheduleFires.keepOnly(functionName, sources.map(({ key }) => key));
    const entries: Entry[] = [];
    for (const { source, index, key } of sources) {
      const entry = this.#load(functionName, source, index, key);
      if (entry) entries.push(entry);
    }
    if (entries.length > 0) this.#entries.set(functionName, entries);
  }

  /** Every schedule, by function then position, with its next and last fire times. */
  status(): ScheduleStatus[] {
    return [...this.#entries.keys()].sort().flatMap((name) =>
      this.#entries.get(name)!.map((entry) => ({
        functionName: name,
        expression: entry.source.expression,
        timezone: entry.source.timezone,
        nextFireAt: entry.nextAt === null ? null : eventTime(entry.nextAt),
        lastFireAt: entry.lastFireAt === null ? null : eventTime(entry.lastFireAt),
      }))
    );
  }

  #load(functionName: string, source: ScheduleSource, index: number, key: string): Entry | null {
    let expression: ScheduleExpression;
    try {
      expression = parseScheduleExpression(source.expression);
    } catch (error) {
      // refused at the door since; a configuration stored by an older lambdalet may still hold one
      console.error(`lambdalet: schedule ${index} of ${functionName} is not used:`, error);
      return null;
    }
    const now = this.#clock.now();
    const record = this.#deps.store.scheduleFires.ensure(functionName, key, Math.floor(now / 1000) * 1000);
    const entry: Entry = {
      functionName,
      index,
      source,
      key,
      expression,
      times: { timezone: source.timezone, anchor: record.anchorAt },
      lastFireAt: record.lastFireAt,
      nextAt: null,
    };
    if (source.catchUp === "LAST") {
      const missed = lastFireTimeBetween(expression, record.lastFireAt ?? record.anchorAt, now, entry.times);
      if (missed !== null) this.#fire(entry, missed);
    }
    entry.nextAt = nextFireTime(expression, Math.max(now - 1, entry.lastFireAt ?? -Infinity), entry.times);
    this.#arm(entry);
    return entry;
  }

  #arm(entry: Entry): void {
    if (entry.nextAt === null || !this.#running) return;
    const delay = Math.min(Math.max(0, entry.nextAt - this.#clock.now()), MAX_SLEEP_MS);
    entry.timer = this.#clock.setTimer(() => this.#wake(entry), delay);
  }

  #wake(entry: Entry): void {
    entry.timer = undefined;
    if (entry.nextAt === null) return;
    const now = this.#clock.now();
    if (now >= entry.nextAt) {
      this.#fire(entry, entry.nextAt);
      entry.nextAt = nextFireTime(entry.expression, Math.max(entry.nextAt, now - 1), entry.times);
    }
    this.#arm(entry);
  }

  /** Stores `time` as fired, then hands the event on: at most once per scheduled time. */
  #fire(entry: Entry, time: number): void {
    if (entry.lastFireAt !== null && time <= entry.lastFireAt) return;
    this.#deps.store.scheduleFires.recordFire(entry.functionName, entry.key, time);
    entry.lastFireAt = time;
    const event = scheduledEvent({
      functionName: entry.functionName,
      index: entry.index,
      time,
      region: this.#options.region,
      accountId: this.#options.accountId,
    });
    try {
      this.#deps.fire(entry.functionName, event);
    } catch (error) {
      console.error(
        `lambdalet: schedule ${entry.index} of ${entry.functionName} at ${
          eventTime(time)
        } was not handed on:`,
        error,
      );
    }
  }

  #clear(functionName: string): void {
    for (const entry of this.#entries.get(functionName) ?? []) {
      if (entry.timer !== undefined) this.#clock.clearTimer(entry.timer);
      entry.timer = undefined;
    }
    this.#entries.delete(functionName);
  }
}
