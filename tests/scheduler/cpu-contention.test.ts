/** @module CpuContention: run-queue waits read from real processes, and the decisions made from them. */
import { afterAll, describe, expect, test } from "bun:test";
import { CpuContention, runQueueWaitNs } from "../../lib/scheduler/cpu-contention.ts";

describe("CpuContention with given waits", () => {
  test("no recent baseline is not known; waits past a tenth of the interval are contention", () => {
    const waits = new Map<number, number>([[1, 0], [2, 0]]);
    const contention = new CpuContention((pid) => waits.get(pid) ?? null);
    expect(contention.contended([[1], [2]], 1_000)).toBeNull();
    // 100 ms later: each waited 5 ms (5%)
    waits.set(1, 5_000_000).set(2, 5_000_000);
    expect(contention.contended([[1], [2]], 1_100)).toBe(false);
    // a look closer than 100 ms answers as the last
    waits.set(1, 95_000_000);
    expect(contention.contended([[1], [2]], 1_150)).toBe(false);
    // 200 ms after the last look: 90 ms and 0 ms, 22.5% on average
    expect(contention.contended([[1], [2]], 1_300)).toBe(true);
    // after a long pause the baseline is stale: not known
    expect(contention.contended([[1], [2]], 10_000)).toBeNull();
  });

  test("a worker seen for the first time counts from the next look; a gone one is dropped", () => {
    const waits = new Map<number, number>([[1, 0]]);
    const contention = new CpuContention((pid) => waits.get(pid) ?? null);
    contention.contended([[1]], 0);
    waits.set(1, 50_000_000).set(2, 900_000_000); // 2 is new: its whole past is not this interval's
    expect(contention.contended([[1], [2]], 1_000)).toBe(false);
    waits.delete(1);
    waits.set(2, 1_100_000_000);
    expect(contention.contended([[1], [2]], 2_000)).toBe(true);
  });
});

describe("CpuContention on real processes", () => {
  const children: Bun.Subprocess[] = [];
  const spawn = (cmd: string[]) => {
    const child = Bun.spawn({ cmd, stdout: "ignore", stderr: "ignore" });
    children.push(child);
    return child.pid;
  };

  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });

  test("two busy loops on one core wait for it; a sleeping process does not", async () => {
    expect(runQueueWaitNs(process.pid)).toBeGreaterThanOrEqual(0);
    const taskset = Bun.which("taskset");
    if (!taskset) {
      console.log("skipped: taskset is not installed (two processes cannot be put on one core)");
      return;
    }
    const busy = [1, 2].map(() => spawn([taskset, "-c", "0", "sh", "-c", "while :; do :; done"]));
    const sleeper = spawn(["sleep", "30"]);
    const busyLook = new CpuContention();
    const sleepLook = new CpuContention();
    await Bun.sleep(100);
    expect(busyLook.contended(busy.map((pid) => [pid]))).toBeNull();
    expect(sleepLook.contended([[sleeper]])).toBeNull();
    await Bun.sleep(400);
    // each gets about half of the core: it waits about half of the time
    expect(busyLook.contended(busy.map((pid) => [pid]))).toBe(true);
    expect(sleepLook.contended([[sleeper]])).toBe(false);
  });
});
