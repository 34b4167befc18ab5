/** @module The Tail capture keeps only the lines its 4 KB tail shows, and the tail reads as if it kept them all. */
import { describe, expect, test } from "bun:test";
import { formatInvocationLog, LOG_TAIL_BYTES, logTail } from "../../lib/scheduler/invocation-log.ts";
import { LineCapture } from "../../lib/scheduler/log-capture.ts";

/** The tail `logTail` returns for an invocation that wrote `lines`. */
function tailOf(lines: string[]): string {
  return logTail(formatInvocationLog({
    requestId: "8f5e1c2a-0000-4000-8000-000000000000",
    version: "$LATEST",
    lines,
    durationMs: 12.5,
    memorySizeMb: 128,
    maxMemoryUsedMb: 40,
    initDurationMs: 80.25,
  }));
}

/** The lines a capture keeps of `lines`. */
function captured(lines: string[]): string[] {
  const capture = new LineCapture(() => {});
  for (const line of lines) capture.add(line);
  return capture.take();
}

const utf8Bytes = (lines: string[]) => lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);

/** A deterministic pseudo-random generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ["a", "b", " ", "\t", "é", "€", "😀", "\r", "z"];

describe("LineCapture", () => {
  test("a small log is kept whole", () => {
    const lines = ["START of my handler", "", 'done: {"ok":true}'];
    expect(captured(lines)).toEqual(lines);
  });

  test("it forwards every line, kept or not, and keeps nothing while keep is off", () => {
    const forwarded: string[] = [];
    const capture = new LineCapture((line) => forwarded.push(line));
    capture.add("during start");
    capture.keep = false;
    capture.add("between invocations");
    expect(capture.take()).toEqual(["during start"]);
    expect(forwarded).toEqual(["during start", "between invocations"]);
    expect(capture.take()).toEqual([]);
  });

  test("a million lines keep only the last ones that fill 4 KB", () => {
    const capture = new LineCapture(() => {});
    for (let i = 0; i < 1_000_000; i++) capture.add(`line ${i}`);
    const kept = capture.take();
    expect(kept.at(-1)).toBe("line 999999");
    expect(utf8Bytes(kept)).toBeGreaterThanOrEqual(LOG_TAIL_BYTES);
    expect(utf8Bytes(kept.slice(1))).toBeLessThan(LOG_TAIL_BYTES);
  });

  test("a line longer than the tail is kept by its last 4 KB of characters", () => {
    const kept = captured(["old", "x".repeat(300_000) + "END"]);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toHaveLength(LOG_TAIL_BYTES);
    expect(kept[0]!.endsWith("xEND")).toBe(true);
  });

  test("a long line cut in the middle of a surrogate pair keeps the whole character", () => {
    const line = "😀".repeat(3000); // 6000 UTF-16 units: the cut at 4096 from the end falls between pairs or inside one
    const kept = captured([line + "a"])[0]!;
    expect(kept.isWellFormed()).toBe(true);
    expect(line + "a").toEndWith(kept);
  });

  describe("the tail reads as if every line were kept", () => {
    test("for logs around 4 KB, of short lines, long lines and multi-byte characters", () => {
      const next = random(12);
      for (let round = 0; round < 400; round++) {
        const lines: string[] = [];
        const count = Math.floor(next() * 60);
        const longest = [10, 100, 1000, 6000][round % 4]!;
        for (let i = 0; i < count; i++) {
          const length = Math.floor(next() * longest);
          let line = "";
          for (let c = 0; c < length; c++) line += ALPHABET[Math.floor(next() * ALPHABET.length)];
          lines.push(line);
        }
        expect(tailOf(captured(lines))).toBe(tailOf(lines));
      }
    });

    test("for a log far past 4 KB, whose tail the START line no longer reaches", () => {
      const lines = Array.from({ length: 5000 }, (_, i) => `${i}: ${"€".repeat(i % 50)}`);
      const tail = Buffer.from(tailOf(captured(lines)), "base64").toString("utf8");
      expect(tailOf(captured(lines))).toBe(tailOf(lines));
      expect(tail).not.toContain("START RequestId");
      expect(tail).toContain("4999: ");
    });
  });
});
