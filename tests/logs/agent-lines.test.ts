/** @module The agent's event lines: levels, JSON fields, and a storm of repeats bounded to one line a window. */
import { describe, expect, test } from "bun:test";
import { AgentLines } from "../../lib/logs/mod.ts";

/** Collects what is written, line by line. */
function sink() {
  const lines: string[] = [];
  return { lines, write: (text: string) => lines.push(...text.split("\n").filter(Boolean)) };
}

describe("AgentLines", () => {
  test("JSON lines carry time, level, message, event and the fields; warnings go to stderr", () => {
    const stdout = sink();
    const stderr = sink();
    const lines = new AgentLines("json", { stdout, stderr });
    lines.write("info", "worker.start", "worker started", { function: "hello", coldStartMs: 40 });
    lines.write("warn", "throttle", "throttled", { function: "hello", reason: "queue-full" });
    expect(stdout.lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: "info",
        event: "worker.start",
        message: "worker started",
        function: "hello",
        coldStartMs: 40,
      }),
    ]);
    const warned = JSON.parse(stderr.lines[0]!);
    expect(warned).toMatchObject({ level: "warn", event: "throttle", reason: "queue-full" });
    expect(Number.isNaN(Date.parse(warned.time))).toBe(false);
  });

  test("text lines are the message alone, prefixed as the agent's other lines", () => {
    const stdout = sink();
    new AgentLines("text", { stdout }).write("info", "deployment", "deployment d1 COMPLETED", { x: 1 });
    expect(stdout.lines).toEqual(["lambdalet: deployment d1 COMPLETED"]);
  });

  test("a burst of 1000 identical throttles writes one line, then one saying how many more there were", async () => {
    const stderr = sink();
    const lines = new AgentLines("json", { stderr, windowMs: 100 });
    const key = { function: "hello", reason: "reserved-concurrency" };
    for (let i = 0; i < 1000; i++) {
      lines.limited("warn", "throttle", `throttled ${i}`, { ...key, version: "$LATEST" }, key);
    }
    // another function or reason is its own key
    lines.limited("warn", "throttle", "other", { function: "other" }, { function: "other" });
    expect(stderr.lines.map((line) => JSON.parse(line).message)).toEqual(["throttled 0", "other"]);
    await Bun.sleep(150);
    expect(stderr.lines).toHaveLength(3);
    const summary = JSON.parse(stderr.lines[2]!);
    expect(summary).toMatchObject({ level: "warn", event: "throttle", ...key, suppressed: 999 });
    expect(summary.message).toContain("999 more throttle line(s)");
    // the storm over, the next window is quiet and closes without a line; then a new line is written at once
    await Bun.sleep(150);
    expect(stderr.lines).toHaveLength(3);
    lines.limited("warn", "throttle", "again", key, key);
    expect(JSON.parse(stderr.lines[3]!).message).toBe("again");
    lines.flush();
  });

  test("a storm that goes on writes about one line per window, never one per repeat", async () => {
    const stderr = sink();
    const lines = new AgentLines("json", { stderr, windowMs: 50 });
    const key = { function: "hello", reason: "queue-full" };
    const until = Date.now() + 300;
    let sent = 0;
    while (Date.now() < until) {
      for (let i = 0; i < 100; i++, sent++) lines.limited("warn", "throttle", "throttled", key, key);
      await Bun.sleep(5);
    }
    lines.flush();
    const written = stderr.lines.map((line) => JSON.parse(line));
    expect(written.length).toBeLessThanOrEqual(10);
    const counted = written.reduce((sum, line) => sum + (line.suppressed ?? 1), 0);
    expect(counted).toBe(sent);
  });
});
