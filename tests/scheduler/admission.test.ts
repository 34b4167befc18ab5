/** @module The agent-wide admission of workers: starts at once, the memory budget, and room made from idle workers. */
import { describe, expect, test } from "bun:test";
import { Admission, type AdmissionClient, expectedWorkerBytes } from "../../lib/scheduler/admission.ts";

const MIB = 1024 * 1024;

/** A pool as the admission sees it: idle workers it may stop, and a count of the times it was told of room. */
class FakePool implements AdmissionClient {
  idle: number[] = [];
  evicted = 0;
  told = 0;
  onEvict: () => void = () => {};
  idleSince(): number | null {
    return this.idle.length ? Math.min(...this.idle) : null;
  }
  evictIdle(): boolean {
    if (!this.idle.length) return false;
    this.idle.sort((a, b) => a - b).shift();
    this.evicted++;
    this.onEvict();
    return true;
  }
  roomFreed(): void {
    this.told++;
  }
}

describe("Admission", () => {
  test("no more workers start at once than startsPerCore × cores; a start that ends frees its slot and says so", () => {
    const admission = new Admission({ memoryBudgetBytes: 1024 * MIB, cores: 2, startsPerCore: 1 });
    const pool = new FakePool();
    admission.register(pool);
    const first = admission.tryStart(pool, 10 * MIB)!;
    const second = admission.tryStart(pool, 10 * MIB)!;
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(admission.tryStart(pool, 10 * MIB)).toBeNull();
    first.started();
    first.started(); // idempotent
    expect(pool.told).toBe(1);
    expect(admission.status()).toMatchObject({ starting: 1, maxStarting: 2, committedBytes: 20 * MIB });
    expect(admission.tryStart(pool, 10 * MIB)).not.toBeNull();
  });

  test("past the memory budget a start is refused until memory is released", () => {
    const admission = new Admission({ memoryBudgetBytes: 100 * MIB, cores: 8 });
    const pool = new FakePool();
    admission.register(pool);
    const a = admission.tryStart(pool, 60 * MIB)!;
    a.started();
    expect(admission.tryStart(pool, 60 * MIB)).toBeNull();
    a.release();
    a.release(); // idempotent: the budget is not credited twice
    expect(admission.status().committedBytes).toBe(0);
    expect(admission.tryStart(pool, 60 * MIB)).not.toBeNull();
    expect(admission.tryStart(pool, 60 * MIB)).toBeNull();
  });

  test("room is made by stopping the longest-idle worker of another pool, never the asking pool's own", () => {
    const admission = new Admission({ memoryBudgetBytes: 100 * MIB, cores: 8 });
    const asking = new FakePool();
    const older = new FakePool();
    const newer = new FakePool();
    for (const pool of [asking, older, newer]) admission.register(pool);
    const held = [admission.tryStart(older, 50 * MIB)!, admission.tryStart(newer, 50 * MIB)!];
    for (const admitted of held) admitted.started();
    asking.idle = [1];
    older.idle = [10];
    newer.idle = [20];
    older.onEvict = () => held[0]!.release(); // a stopped worker's memory comes back
    expect(admission.tryStart(asking, 40 * MIB)).not.toBeNull();
    expect([asking.evicted, older.evicted, newer.evicted]).toEqual([0, 1, 0]);
    expect(admission.status().evictions).toBe(1);
    // nothing idle elsewhere: refused, and nothing of the asking pool's is touched
    expect(admission.tryStart(asking, 40 * MIB)).toBeNull();
    expect(asking.evicted).toBe(0);
  });

  test("a charged worker (pinned, provisioned) is never refused, and counts against later starts", () => {
    const admission = new Admission({ memoryBudgetBytes: 100 * MIB, cores: 1 });
    const pool = new FakePool();
    admission.register(pool);
    const pinned = [admission.charge(80 * MIB), admission.charge(80 * MIB)];
    expect(admission.status().committedBytes).toBe(160 * MIB);
    expect(admission.fits(1)).toBe(false);
    expect(admission.tryStart(pool, 10 * MIB)).toBeNull();
    for (const charge of pinned) charge.release();
    expect(admission.tryStart(pool, 10 * MIB)).not.toBeNull();
  });

  test("a worker is charged what its runtime is expected to use, never more than its MemorySize", () => {
    expect(expectedWorkerBytes("nodejs20.x", 1024)).toBe(48 * MIB);
    expect(expectedWorkerBytes("python3.12", 1024)).toBe(24 * MIB);
    expect(expectedWorkerBytes("nodejs20.x", 32)).toBe(32 * MIB);
    expect(expectedWorkerBytes("provided.al2023", 1024)).toBe(16 * MIB);
  });
});
