import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { FunctionConfig, ScheduleSource } from "../../lib/config/mod.ts";
import { type ScheduleClock, ScheduleRunner } from "../../lib/schedules/mod.ts";
import { openStore, type Store } from "../../lib/store/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";
import { latestConfig } from "../helpers/function-configs.ts";

/** A clock whose time moves only when a test advances it, running the timers that fall due on the way. */
class ManualClock implements ScheduleClock {
  #time: number;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start: string) {
    this.#time = Date.parse(start);
  }

  now(): number {
    return this.#time;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#time + delayMs, callback });
    return id;
  }

  clearTimer(timer: unknown): void {
    this.#timers.delete(timer as number);
  }

  /** Moves the time `ms` forward, running each timer at its time. */
  advance(ms: number): void {
    const end = this.#time + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, timer]) => timer.at <= end)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#time = Math.max(this.#time, due[1].at);
      due[1].callback();
    }
    this.#time = end;
  }

  /** Sets the time (a restart later or earlier), running no timer. */
  set(iso: string): void {
    this.#time = Date.parse(iso);
  }

  /** How many timers are armed. */
  get armed(): number {
    return this.#timers.size;
  }
}

interface Fired {
  functionName: string;
  event: Record<string, unknown>;
}

const MINUTE = 60_000;
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function schedule(expression: string, extra: Partial<ScheduleSource> = {}): ScheduleSource {
  return { type: "SCHEDULE", expression, timezone: "UTC", catchUp: "NONE", ...extra };
}

function configWith(name: string, sources: ScheduleSource[]): FunctionConfig {
  const config = latestConfig(name, { sha256: "c0de", size: 1 });
  return { ...config, edge: { ...config.edge, eventSources: sources } };
}

/** A store in a real SQLite file, with the function `name` holding `sources`. */
function storeWith(name: string, sources: ScheduleSource[]): { store: Store; path: string } {
  const dir = tempDir("lambdalet-schedules-");
  dirs.push(dir);
  const path = join(dir, "lambdalet.db");
  const store = openStore(path);
  store.code.put("c0de", new Uint8Array([1]));
  store.functions.create(configWith(name, sources), {});
  return { store, path };
}

function runnerOver(store: Store, clock: ScheduleClock, fired: Fired[], fail = false): ScheduleRunner {
  return new ScheduleRunner({
    store,
    fire: (functionName, event) => {
      fired.push({ functionName, event: JSON.parse(new TextDecoder().decode(event)) });
      if (fail) throw new Error("the queue is full");
    },
  }, { region: "eu-west-3", accountId: "000000000000", clock });
}

const times = (fired: Fired[]) => fired.map(({ event }) => event.time);

describe("ScheduleRunner", () => {
  test("rate(1 minute) fires once per minute with EventBridge's Scheduled Event", () => {
    const { store } = storeWith("tick", [schedule("rate(1 minute)")]);
    const clock = new ManualClock("2026-11-29T10:00:00Z");
    const fired: Fired[] = [];
    const runner = runnerOver(store, clock, fired);
    runner.start();
    clock.advance(30_000);
    expect(fired).toEqual([]);
    clock.advance(3 * MINUTE);
    expect(times(fired)).toEqual(["2026-11-29T10:01:00Z", "2026-11-29T10:02:00Z", "2026-11-29T10:03:00Z"]);
    const { event, functionName } = fired[0]!;
    expect(functionName).toBe("tick");
    expect(event).toEqual({
      version: "0",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: "2026-11-29T10:01:00Z",
      region: "eu-west-3",
      resources: ["arn:aws:events:eu-west-3:000000000000:rule/tick-schedule-0"],
      detail: {},
    });
    expect(fired[1]!.event.id).not.toBe(event.id);
    expect(runner.status()).toEqual([{
      functionName: "tick",
      expression: "rate(1 minute)",
      timezone: "UTC",
      nextFireAt: "2026-11-29T10:04:00Z",
      lastFireAt: "2026-11-29T10:03:00Z",
    }]);
    runner.stop();
    expect(clock.armed).toBe(0);
    store.close();
  });

  test("a time never fires twice, across a restart with the clock set back", () => {
    const { store, path } = storeWith("once", [schedule("rate(1 minute)")]);
    const clock = new ManualClock("2026-11-29T10:00:00Z");
    const fired: Fired[] = [];
    const first = runnerOver(store, clock, fired);
    first.start();
    clock.advance(MINUTE);
    first.stop();
    store.close();

    const reopened = openStore(path);
    clock.set("2026-11-29T10:00:40Z");
    const second = runnerOver(reopened, clock, fired);
    second.start();
    clock.advance(30_000);
    expect(times(fired)).toEqual(["2026-11-29T10:01:00Z"]);
    clock.advance(MINUTE);
    expect(times(fired)).toEqual(["2026-11-29T10:01:00Z", "2026-11-29T10:02:00Z"]);
    second.stop();
    reopened.close();
  });

  test("the time is stored before the event is handed on: a failed hand-over is not retried", () => {
    const { store, path } = storeWith("lossy", [schedule("rate(1 minute)", { catchUp: "LAST" })]);
    const clock = new ManualClock("2026-11-29T10:00:00Z");
    const fired: Fired[] = [];
    const first = runnerOver(store, clock, fired, true);
    first.start();
    clock.advance(MINUTE);
    first.stop();
    store.close();
    const reopened = openStore(path);
    const second = runnerOver(reopened, clock, fired);
    second.start();
    expect(times(fired)).toEqual(["2026-11-29T10:01:00Z"]);
    second.stop();
    reopened.close();
  });

  describe("fires missed while the agent was down", () => {
    function downTenMinutes(catchUp: "NONE" | "LAST"): Fired[] {
      const { store, path } = storeWith("missed", [schedule("rate(1 minute)", { catchUp })]);
      const clock = new ManualClock("2026-11-29T10:00:00Z");
      const fired: Fired[] = [];
      const first = runnerOver(store, clock, fired);
      first.start();
      clock.advance(MINUTE);
      first.stop();
      store.close();
      clock.set("2026-11-29T10:11:30Z");
      const reopened = openStore(path);
      const second = runnerOver(reopened, clock, fired);
      second.start();
      clock.advance(MINUTE);
      second.stop();
      reopened.close();
      return fired;
    }

    test("are skipped with catchUp NONE (the default)", () => {
      expect(times(downTenMinutes("NONE"))).toEqual(["2026-11-29T10:01:00Z", "2026-11-29T10:12:00Z"]);
    });

    test("run once, for the last of them, with catchUp LAST", () => {
      expect(times(downTenMinutes("LAST"))).toEqual([
        "2026-11-29T10:01:00Z",
        "2026-11-29T10:11:00Z",
        "2026-11-29T10:12:00Z",
      ]);
    });
  });

  test("at() fires once, and not again after a restart", () => {
    const { store, path } = storeWith("alarm", [
      schedule("at(2026-11-29T11:00:30)", { timezone: "Europe/Paris" }),
    ]);
    const clock = new ManualClock("2026-11-29T10:00:00Z");
    const fired: Fired[] = [];
    const first = runnerOver(store, clock, fired);
    first.start();
    expect(first.status()[0]!.nextFireAt).toBe("2026-11-29T10:00:30Z");
    clock.advance(60 * MINUTE);
    expect(times(fired)).toEqual(["2026-11-29T10:00:30Z"]);
    expect(first.status()[0]!.nextFireAt).toBeNull();
    first.stop();
    store.close();
    const reopened = openStore(path);
    const second = runnerOver(reopened, clock, fired);
    second.start();
    clock.advance(60 * MINUTE);
    expect(fired).toHaveLength(1);
    second.stop();
    reopened.close();
  });

  test("a changed function's schedules are read again; a deleted function's stop and their times go", () => {
    const { store } = storeWith("job", [schedule("rate(1 minute)")]);
    const clock = new ManualClock("2026-11-29T10:00:00Z");
    const fired: Fired[] = [];
    const runner = runnerOver(store, clock, fired);
    runner.start();
    clock.advance(MINUTE);
    store.functions.putLatest(configWith("job", [schedule("cron(0/5 * * * ? *)")]), {});
    runner.refresh("job");
    clock.advance(4 * MINUTE);
    expect(times(fired)).toEqual(["2026-11-29T10:01:00Z", "2026-11-29T10:05:00Z"]);
    expect(runner.status().map(({ expression }) => expression)).toEqual(["cron(0/5 * * * ? *)"]);
    const rows = () =>
      store.db.query("SELECT schedule_key FROM schedule_fires WHERE function_name = 'job'").all();
    expect(rows()).toEqual([{ schedule_key: "0|UTC|cron(0/5 * * * ? *)" }]);

    store.functions.deleteFunction("job");
    runner.refresh("job");
    clock.advance(30 * MINUTE);
    expect(fired).toHaveLength(2);
    expect(runner.status()).toEqual([]);
    expect(rows()).toEqual([]);
    expect(clock.armed).toBe(0);
    runner.stop();
    store.close();
  });

  test("a function without schedules arms nothing", () => {
    const { store } = storeWith("plain", []);
    const clock = new ManualClock("2026-11-29T10:00:00Z");
    const runner = runnerOver(store, clock, []);
    runner.start();
    expect(runner.status()).toEqual([]);
    expect(clock.armed).toBe(0);
    runner.stop();
    store.close();
  });
});
