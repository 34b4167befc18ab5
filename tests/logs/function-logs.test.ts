import { describe, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FunctionLogs, type LogRecord } from "../../lib/logs/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

const TEXT = { logFormat: "Text" } as const;

function line(message: string, requestId: string | null = null): LogRecord {
  return { time: new Date().toISOString(), requestId, stream: "stdout", message };
}

function bytesOnDisk(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    for (const file of readdirSync(join(dir, name))) total += statSync(join(dir, name, file)).size;
  }
  return total;
}

describe("FunctionLogs", () => {
  test("FunctionLogs keeps each function under its cap and all under the total, dropping the oldest files", async () => {
    const dataDir = tempDir();
    const logs = await FunctionLogs.open(dataDir, {
      maxBytesPerFunction: 64 * 1024,
      maxTotalBytes: 160 * 1024,
    });
    for (let round = 0; round < 50; round++) {
      for (const name of ["a", "b", "c"]) {
        for (let i = 0; i < 20; i++) logs.write(name, TEXT, line(`${round}-${i} ${"y".repeat(300)}`));
      }
      await logs.flushed();
      expect(bytesOnDisk(join(dataDir, "logs"))).toBeLessThanOrEqual(160 * 1024);
      for (const name of ["a", "b", "c"]) expect(logs.bytesOf(name)).toBeLessThanOrEqual(64 * 1024);
    }
    const kept: string[] = [];
    for await (const batch of logs.tail("c", {}, null)) kept.push(...batch.map((record) => record.message));
    expect(kept.at(-1)).toStartWith("49-19 ");
    expect(kept[0]).not.toStartWith("0-0 ");
  });

  test("FunctionLogs applies lowered caps to what an earlier run left", async () => {
    const dataDir = tempDir();
    const first = await FunctionLogs.open(dataDir, {
      maxBytesPerFunction: 256 * 1024,
      maxTotalBytes: 1024 * 1024,
    });
    for (let i = 0; i < 2000; i++) first.write("big", TEXT, line(`${i} ${"z".repeat(100)}`));
    await first.flushed();
    expect(first.bytesOf("big")).toBeGreaterThan(128 * 1024);
    const second = await FunctionLogs.open(dataDir, {
      maxBytesPerFunction: 64 * 1024,
      maxTotalBytes: 64 * 1024,
    });
    expect(second.bytesOf("big")).toBeLessThanOrEqual(64 * 1024);
    expect(bytesOnDisk(join(dataDir, "logs"))).toBeLessThanOrEqual(64 * 1024);
  });

  test("FunctionLogs drops and counts lines while more than maxPendingBytes wait for the disk", async () => {
    const dataDir = tempDir();
    const logs = await FunctionLogs.open(dataDir, {
      maxBytesPerFunction: 1024 * 1024,
      maxTotalBytes: 1024 * 1024,
      maxPendingBytes: 16 * 1024,
    });
    for (let i = 0; i < 1000; i++) logs.write("fast", TEXT, line(`${i} ${"w".repeat(100)}`));
    await logs.flushed();
    const kept: string[] = [];
    for await (const batch of logs.tail("fast", {}, null)) {
      kept.push(...batch.map((record) => record.message));
    }
    expect(kept.length).toBeLessThan(1000);
    expect(kept.at(-1)).toMatch(
      /^lambdalet: \d+ lines of this function's log dropped: the disk was not written fast enough$/,
    );
  });

  test("a follower that does not read is cut off at its bound instead of buffering without limit", async () => {
    const dataDir = tempDir();
    const logs = await FunctionLogs.open(dataDir, {
      maxBytesPerFunction: 1024 * 1024,
      maxTotalBytes: 1024 * 1024,
      maxFollowerBytes: 8 * 1024,
    });
    const stop = new AbortController();
    const tail = logs.tail("slow", {}, { signal: stop.signal });
    const first = tail.next(); // history (none), then waits on the follower
    for (let i = 0; i < 500; i++) logs.write("slow", TEXT, line(`${i} ${"v".repeat(100)}`, "req-1"));
    const received: LogRecord[] = [...((await first).value ?? [])];
    for await (const batch of tail) received.push(...batch);
    expect(received.length).toBeLessThan(500);
    expect(received.at(-1)!.message).toContain("cut off");
  });

  test("a follower with a request id gets only that invocation's new lines, until its signal aborts", async () => {
    const logs = await FunctionLogs.open(tempDir(), {
      maxBytesPerFunction: 1024 * 1024,
      maxTotalBytes: 1024 * 1024,
    });
    const stop = new AbortController();
    const tail = logs.tail("f", { requestId: "want" }, { signal: stop.signal });
    const next = tail.next();
    logs.write("f", TEXT, line("other", "not-me"));
    logs.write("f", TEXT, line("mine", "want"));
    expect((await next).value!.map((record: LogRecord) => record.message)).toEqual(["mine"]);
    stop.abort();
    expect((await tail.next()).done).toBe(true);
  });
});
