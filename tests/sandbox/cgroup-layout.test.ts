/** @module parseCgroupLayout() finds cgroups from /proc text, whatever the mount layout. */
import { describe, expect, test } from "bun:test";
import { parseCgroupLayout } from "../../lib/sandbox/mod.ts";

const HYBRID_MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const HYBRID_CGROUP = `8:pids:/
4:memory:/process_api/abc
0::/`;

describe("parseCgroupLayout()", () => {
  test("parseCgroupLayout() reads a hybrid host: v2 without memory, v1 memory and pids", () => {
    const layout = parseCgroupLayout(
      HYBRID_MOUNTINFO,
      HYBRID_CGROUP,
      (path) => path === "/sys/fs/cgroup/unified/cgroup.controllers" ? "hugetlb\n" : null,
    );
    expect(layout).toEqual({
      v2: { dir: "/sys/fs/cgroup/unified", controllers: ["hugetlb"] },
      v1: { memory: "/sys/fs/cgroup/memory/process_api/abc", pids: "/sys/fs/cgroup/pids" },
    });
  });

  test("parseCgroupLayout() reads a systemd v2-only host with the agent in a service cgroup", () => {
    const layout = parseCgroupLayout(
      "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate",
      "0::/system.slice/lambdalet.service\n",
      (path) =>
        path === "/sys/fs/cgroup/system.slice/lambdalet.service/cgroup.controllers"
          ? "cpu memory pids\n"
          : null,
    );
    expect(layout).toEqual({
      v2: { dir: "/sys/fs/cgroup/system.slice/lambdalet.service", controllers: ["cpu", "memory", "pids"] },
      v1: {},
    });
  });

  test("parseCgroupLayout() follows a cgroup namespace whose mount root is not /", () => {
    const layout = parseCgroupLayout(
      "30 23 0:26 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw",
      "0::/kubepods/pod1/agent\n",
      () => "memory\n",
    );
    expect(layout.v2?.dir).toBe("/sys/fs/cgroup/agent");
  });

  test("parseCgroupLayout() finds nothing where no cgroup filesystem is mounted", () => {
    expect(parseCgroupLayout("22 1 0:5 / /proc rw - proc proc rw", "0::/\n", () => null)).toEqual({ v1: {} });
  });
});
