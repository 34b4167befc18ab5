import { describe, expect, test } from "bun:test";
import { DashboardSessions } from "../../lib/dashboard/mod.ts";

describe("DashboardSessions", () => {
  test("a session is found by its id until it goes unused for the idle time", () => {
    let now = 1_000;
    const sessions = new DashboardSessions({ idleMs: 100, maxAgeMs: 1_000, now: () => now });
    const { id, session } = sessions.open("LKIA1", "digest");
    expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    now += 99;
    expect(sessions.find(id)?.accessKeyId).toBe("LKIA1");
    now += 99;
    expect(sessions.find(id)).not.toBeNull();
    now += 100;
    expect(sessions.find(id)).toBeNull();
    expect(sessions.size).toBe(0);
  });

  test("a session ends at its maximum age however often it is used", () => {
    let now = 0;
    const sessions = new DashboardSessions({ idleMs: 100, maxAgeMs: 250, now: () => now });
    const { id } = sessions.open("LKIA1", "digest");
    for (const step of [90, 90]) {
      now += step;
      expect(sessions.find(id)).not.toBeNull();
    }
    now += 90;
    expect(sessions.find(id)).toBeNull();
  });

  test("an unknown, empty or closed id finds nothing, and ids differ each time", () => {
    const sessions = new DashboardSessions();
    const first = sessions.open("LKIA1", "digest");
    const second = sessions.open("LKIA1", "digest");
    expect(first.id).not.toBe(second.id);
    expect(first.session.csrfToken).not.toBe(second.session.csrfToken);
    expect(sessions.find(undefined)).toBeNull();
    expect(sessions.find("")).toBeNull();
    expect(sessions.find(`${first.id}x`)).toBeNull();
    sessions.close(first.id);
    expect(sessions.find(first.id)).toBeNull();
    expect(sessions.find(second.id)).not.toBeNull();
  });

  test("past maxSessions the oldest session is ended", () => {
    const sessions = new DashboardSessions({ maxSessions: 2 });
    const ids = [0, 1, 2].map(() => sessions.open("LKIA1", "digest").id);
    expect(sessions.size).toBe(2);
    expect(sessions.find(ids[0])).toBeNull();
    expect(sessions.find(ids[2])).not.toBeNull();
  });

  test("maxSessions below 1 is refused with the value in the message", () => {
    expect(() => new DashboardSessions({ maxSessions: 0 })).toThrow(
      "Cannot keep dashboard sessions as 'maxSessions' must be ≥ 1: current value is 0",
    );
  });
});
