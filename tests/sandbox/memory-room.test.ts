/** @module The memory the agent's own cgroup leaves: the tightest limit less use, at each level, v1 or v2. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cgroupMemoryRoomBytes } from "../../lib/sandbox/mod.ts";
import { detectCgroupLayout } from "../../lib/sandbox/cgroup-layout.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { REPO_ROOT } from "../helpers/agent-process.ts";

const MIB = 1024 * 1024;

function files(entries: Record<string, string>): (path: string) => string | null {
  return (path) => entries[path] ?? null;
}

describe("cgroupMemoryRoomBytes()", () => {
  test("v2: the tightest of the levels' memory.max less memory.current; 'max' is no limit", () => {
    const read = files({
      "/cg/a/b/memory.max": "max\n",
      "/cg/a/b/memory.current": `${100 * MIB}\n`,
      "/cg/a/memory.max": `${1024 * MIB}\n`,
      "/cg/a/memory.current": `${300 * MIB}\n`,
      "/cg/memory.max": "max\n",
      "/cg/memory.current": "0\n",
    });
    const layout = { v2: { dir: "/cg/a/b", controllers: ["cpu", "memory"] }, v1: {} };
    expect(cgroupMemoryRoomBytes(layout, read)).toBe(724 * MIB);
  });

  test("v1: memory.limit_in_bytes less memory.usage_in_bytes; the kernel's 'unlimited' is no limit", () => {
    const read = files({
      "/m/x/memory.limit_in_bytes": `${512 * MIB}\n`,
      "/m/x/memory.usage_in_bytes": `${12 * MIB}\n`,
      "/m/memory.limit_in_bytes": "9223372036854771712\n",
      "/m/memory.usage_in_bytes": `${5000 * MIB}\n`,
    });
    // a v2 hierarchy without the memory controller is passed over for the v1 one
    const layout = { v2: { dir: "/u/x", controllers: ["pids"] }, v1: { memory: "/m/x" } };
    expect(cgroupMemoryRoomBytes(layout, read)).toBe(500 * MIB);
  });

  test("no limit at any level, or no memory controller: null", () => {
    const read = files({
      "/m/x/memory.limit_in_bytes": "9223372036854771712",
      "/m/x/memory.usage_in_bytes": "1",
    });
    expect(cgroupMemoryRoomBytes({ v1: { memory: "/m/x" } }, read)).toBeNull();
    expect(cgroupMemoryRoomBytes({ v1: {} }, read)).toBeNull();
  });

  const memory = detectCgroupLayout().v1.memory;
  const canTry = process.getuid?.() === 0 && memory !== undefined;
  if (!canTry) {
    explainSkip("a process in a real 256 MB memory cgroup", "needs root and a cgroup v1 memory controller");
  }
  test.skipIf(!canTry)(
    "a process inside a real 256 MB v1 memory cgroup sees about 256 MB of room",
    async () => {
      const dir = join(memory!, `lambdalet-room-test-${process.pid}`);
      mkdirSync(dir);
      try {
        writeFileSync(join(dir, "memory.limit_in_bytes"), String(256 * MIB));
        const script = `import { cgroupMemoryRoomBytes } from "${REPO_ROOT}/lib/sandbox/mod.ts"; ` +
          "console.log(cgroupMemoryRoomBytes());";
        const proc = Bun.spawn({
          cmd: [
            "sh",
            "-c",
            `echo $$ > ${join(dir, "cgroup.procs")} && exec "$0" -e '${script}'`,
            process.execPath,
          ],
          stdout: "pipe",
        });
        const room = Number((await new Response(proc.stdout).text()).trim());
        expect(await proc.exited).toBe(0);
        expect(room).toBeGreaterThan(128 * MIB);
        expect(room).toBeLessThanOrEqual(256 * MIB);
      } finally {
        rmdirSync(dir);
      }
    },
  );
});
