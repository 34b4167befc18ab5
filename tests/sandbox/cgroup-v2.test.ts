/** @module The cgroup v2 driver against a fake cgroupfs folder: the files it writes and the rules it respects. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CgroupV1Driver, CgroupV2Driver } from "../../lib/sandbox/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

function fakeCgroup(controllers: string, procs: string): string {
  const dir = join(tempDir("fake-cgroupfs-"), "lambdalet.service");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cgroup.controllers"), controllers);
  writeFileSync(join(dir, "cgroup.subtree_control"), "");
  writeFileSync(join(dir, "cgroup.procs"), procs);
  return dir;
}

const read = (path: string) => readFileSync(path, "utf8");

describe("CgroupV2Driver", () => {
  test("the agent moves its processes to a leaf before enabling controllers (no internal processes)", () => {
    const dir = fakeCgroup("cpu memory pids", "4242\n4243\n");
    const driver = new CgroupV2Driver(dir, ["cpu", "memory", "pids"]);
    expect(driver.limitsMemory).toBe(true);
    expect(read(join(dir, "agent", "cgroup.procs"))).toBe("4243");
    expect(read(join(dir, "cgroup.subtree_control"))).toBe("+memory +pids");
    expect(read(join(dir, "lambdalet", "cgroup.subtree_control"))).toBe("+memory +pids");
  });

  test("a worker cgroup gets memory.max, pids.max, and reports peak and OOM kills from the kernel's files", () => {
    const dir = fakeCgroup("memory pids", "");
    const cgroup = new CgroupV2Driver(dir, ["memory", "pids"]).create("w1", {
      memoryBytes: 16 * 1024 * 1024,
      pids: 64,
    });
    const worker = join(dir, "lambdalet", "w1");
    expect(read(join(worker, "memory.max"))).toBe(String(16 * 1024 * 1024));
    expect(read(join(worker, "pids.max"))).toBe("64");
    expect(cgroup.procsFiles).toEqual([join(worker, "cgroup.procs")]);
    expect(cgroup.oomKills()).toBe(0);
    writeFileSync(join(worker, "memory.peak"), "12345678\n");
    writeFileSync(join(worker, "memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
    expect(cgroup.peakBytes()).toBe(12345678);
    expect(cgroup.oomKills()).toBe(1);
  });

  test("a v2 hierarchy without the memory controller cannot limit memory", () => {
    const dir = fakeCgroup("hugetlb", "1\n");
    expect(new CgroupV2Driver(dir, ["hugetlb"]).limitsMemory).toBe(false);
  });
});

describe("CgroupV1Driver", () => {
  test("a worker cgroup gets memory.limit_in_bytes and the same memory+swap limit, and pids.max", () => {
    const memory = tempDir("fake-v1-memory-");
    const pids = tempDir("fake-v1-pids-");
    const driver = new CgroupV1Driver(memory, pids);
    const cgroup = driver.create("w3", { memoryBytes: 1 << 24, pids: 32 });
    expect(read(join(memory, "lambdalet", "w3", "memory.limit_in_bytes"))).toBe(String(1 << 24));
    expect(read(join(pids, "lambdalet", "w3", "pids.max"))).toBe("32");
    expect(cgroup.procsFiles.length).toBe(2);
    writeFileSync(
      join(memory, "lambdalet", "w3", "memory.oom_control"),
      "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
    );
    expect(cgroup.oomKills()).toBe(2);
  });
});
