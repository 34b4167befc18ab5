/** @module Each agent's worker cgroups live under a folder of its own data dir, which the start-up sweep empties. */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CgroupV1Driver, CgroupV2Driver, workerCgroupParent } from "../../lib/sandbox/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

describe("workerCgroupParent()", () => {
  test("names one folder per data dir under lambdalet/, the same for every path to it", () => {
    const a = tempDir("lambdalet-data-");
    const b = tempDir("lambdalet-data-");
    expect(workerCgroupParent(a)).toMatch(/^lambdalet\/[0-9a-f]{12}$/);
    expect(workerCgroupParent(a)).not.toBe(workerCgroupParent(b));
    expect(workerCgroupParent(`${a}/./`)).toBe(workerCgroupParent(a));
  });
});

describe("drivers under a nested parent", () => {
  test("CgroupV2Driver passes the controllers down each folder to the parent, and names it", () => {
    const self = tempDir("fake-cgroupfs-");
    writeFileSync(join(self, "cgroup.subtree_control"), "");
    writeFileSync(join(self, "cgroup.procs"), "");
    const driver = new CgroupV2Driver(self, ["memory", "pids"], "lambdalet/0123456789ab");
    for (const dir of ["lambdalet", "lambdalet/0123456789ab"]) {
      expect(readFileSync(join(self, dir, "cgroup.subtree_control"), "utf8")).toBe("+memory +pids");
    }
    expect(driver.parents).toEqual([join(self, "lambdalet/0123456789ab")]);
    driver.create("w1", { pids: 64 });
    expect(readFileSync(join(self, "lambdalet/0123456789ab/w1/pids.max"), "utf8")).toBe("64");
  });

  test("CgroupV1Driver names its parent in each hierarchy it uses", () => {
    const memory = tempDir("fake-v1-memory-");
    const pids = tempDir("fake-v1-pids-");
    expect(new CgroupV1Driver(memory, pids, "lambdalet/0123456789ab").parents).toEqual([
      join(memory, "lambdalet/0123456789ab"),
      join(pids, "lambdalet/0123456789ab"),
    ]);
    expect(new CgroupV1Driver(memory, undefined).parents).toEqual([join(memory, "lambdalet")]);
  });
});
