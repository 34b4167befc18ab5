/** @module `lambdalet doctor` on this host, and on a host whose cgroups lack the memory controller. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/agent-process.ts";
import { runCli } from "../helpers/cli.ts";

describe("lambdalet doctor", () => {
  test("doctor lists every requirement as ok or missing, and exits 0 when containers can work", async () => {
    const result = await runCli(["doctor", "--data-dir", join(tempDir(), "data"), "--port", "0"]);
    for (
      const name of [
        "kernel",
        "root",
        "namespaces",
        "cgroup version",
        "memory controller",
        "unshare",
        "setpriv",
        "runtime node",
        "data dir",
        "port",
      ]
    ) {
      expect(result.stdout).toMatch(new RegExp(`^(ok     |missing) ${name}:`, "m"));
    }
    const canIsolate = result.stdout.includes("GreengrassContainer mode can work on this host.");
    expect(result.code).toBe(canIsolate ? 0 : 1);
    if (process.getuid?.() === 0) {
      expect(result.stdout).toMatch(/^ok {6}memory controller: cgroup v[12] memory controller/m);
    }
  });

  test("doctor names the missing memory controller and the cmdline.txt fix, and exits 1", async () => {
    const dir = tempDir();
    // a v2-only host like Raspberry Pi OS without cgroup_memory=1: cpu and pids, no memory
    mkdirSync(join(dir, "cgfs"));
    writeFileSync(join(dir, "cgfs", "cgroup.controllers"), "cpu pids\n");
    writeFileSync(
      join(dir, "mountinfo"),
      `30 23 0:26 / ${join(dir, "cgfs")} rw,nosuid - cgroup2 cgroup2 rw\n`,
    );
    writeFileSync(join(dir, "cgroup"), "0::/\n");
    const result = await runCli([
      "doctor",
      "--data-dir",
      join(dir, "data"),
      "--port",
      "0",
      "--mountinfo",
      join(dir, "mountinfo"),
      "--proc-cgroup",
      join(dir, "cgroup"),
      "--output",
      "json",
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      containerMode: boolean;
      requirements: { name: string; ok: boolean; fix?: string }[];
    };
    expect(report.containerMode).toBe(false);
    const memory = report.requirements.find((item) => item.name === "memory controller");
    expect(memory?.ok).toBe(false);
    expect(memory?.fix).toContain("cgroup_enable=memory cgroup_memory=1");
  });
});
