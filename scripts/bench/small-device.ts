/**
 * @module Small-device profile: `bun scripts/bench/small-device.ts [--seconds 10] [--runs 3] [--memory-mb 1024]
 * [--cpus 0] [--binary PATH] [-- BENCH.ts ARGS...]`.
 *
 * Runs benchmarks as a Raspberry Pi 3 / Zero 2 class device would: pinned to one core (`taskset -c 0`) inside a
 * new memory cgroup limited to 1 GB (swap included where the host accounts it), so the agent, its workers and the
 * bench's load generator share that core and that memory. By default it runs invoke.ts (NoContainer), events.ts
 * and compare.ts's lambdalet side, each in its own cgroup; after `--` it runs the given bench script instead. It
 * prints each bench's output, then the cgroup's peak memory and OOM kills, and removes the cgroup. Needs root and
 * a memory controller (cgroup v2 with `memory` in this process's cgroup, or v1's memory hierarchy); otherwise it
 * says why and exits 0.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as v from "valibot";
import { parseCgroupLayout } from "../../lib/sandbox/mod.ts";
import { positiveFlag } from "./_flags.ts";

function fail(message: string): never {
  console.error(`small-device.ts: ${message}`);
  process.exit(2);
}

function skip(reason: string): never {
  console.log(`small-device profile skipped: ${reason}`);
  process.exit(0);
}

let parsed;
try {
  parsed = parseArgs({
    args: Bun.argv.slice(2),
    strict: true,
    allowPositionals: true,
    options: {
      seconds: { type: "string", default: "10" },
      runs: { type: "string", default: "3" },
      "memory-mb": { type: "string", default: "1024" },
      cpus: { type: "string", default: "0" },
      binary: { type: "string" },
    },
  });
} catch (error) {
  fail((error as Error).message);
}

const FlagsSchema = v.object({
  seconds: positiveFlag("seconds", true), // wrk takes whole seconds
  runs: positiveFlag("runs", true),
  "memory-mb": positiveFlag("memory-mb", true),
  cpus: v.pipe(
    v.string(),
    v.regex(
      /^\d+(-\d+)?(,\d+(-\d+)?)*$/,
      (issue) => `'--cpus' must be a CPU list like 0 or 0-1: current value is ${issue.input}`,
    ),
  ),
  binary: v.optional(v.string()),
});
const flagsResult = v.safeParse(FlagsSchema, parsed.values, { abortPipeEarly: true });
if (!flagsResult.success) fail(flagsResult.issues.map((issue) => issue.message).join("\n"));
const flags = flagsResult.output;
const memoryBytes = flags["memory-mb"] * 2 ** 20;

if (process.getuid?.() !== 0) skip("it needs root to create a memory cgroup");
const TASKSET = Bun.which("taskset") ?? skip("taskset is missing (util-linux)");

// ---------------------------------------------------------------------------------------------------------------
// The cgroup

/** A memory cgroup made for one bench. */
interface BenchCgroup {
  dir: string;
  procsFile: string;
  /** The peak memory charged to it, in bytes. */
  peakBytes(): number;
  /** How many processes the OOM killer ended in it. */
  oomKills(): number;
}

function readNumber(path: string, pattern?: RegExp): number {
  try {
    const text = readFileSync(path, "utf8");
    return Number(pattern ? pattern.exec(text)?.[1] ?? NaN : text.trim());
  } catch {
    return NaN;
  }
}

const layout = parseCgroupLayout(
  readFileSync("/proc/self/mountinfo", "utf8"),
  readFileSync("/proc/self/cgroup", "utf8"),
);
const v2Memory = layout.v2?.controllers.includes("memory") ? layout.v2.dir : undefined;
const v1Memory = layout.v1.memory;
if (!v2Memory && !v1Memory) {
  skip(
    `no memory controller (cgroup v2 controllers here: ${
      layout.v2?.controllers.join(" ") || "none"
    }; no v1 memory)`,
  );
}
const hierarchy = v2Memory ? "v2" : "v1";
// Children of this process's own cgroup, as lambdalet makes its worker cgroups: the limits of the parent hold.
const parentDir = (v2Memory ?? v1Memory)!;

function makeCgroup(name: string): BenchCgroup {
  const dir = join(parentDir, name);
  if (v2Memory) {
    const subtree = join(parentDir, "cgroup.subtree_control");
    if (!readFileSync(subtree, "utf8").split(/\s+/).includes("memory")) {
      try {
        writeFileSync(subtree, "+memory");
      } catch (error) {
        skip(`cannot enable the memory controller for children of ${parentDir}: ${(error as Error).message}`);
      }
    }
    mkdirSync(dir);
    writeFileSync(join(dir, "memory.max"), String(memoryBytes));
    if (existsSync(join(dir, "memory.swap.max"))) writeFileSync(join(dir, "memory.swap.max"), "0");
    return {
      dir,
      procsFile: join(dir, "cgroup.procs"),
      peakBytes: () => readNumber(join(dir, "memory.peak")),
      oomKills: () => readNumber(join(dir, "memory.events"), /^oom_kill (\d+)$/m),
    };
  }
  mkdirSync(dir);
  writeFileSync(join(dir, "memory.limit_in_bytes"), String(memoryBytes));
  // memory+swap may only be set once the memory limit is, and never below it
  if (existsSync(join(dir, "memory.memsw.limit_in_bytes"))) {
    writeFileSync(join(dir, "memory.memsw.limit_in_bytes"), String(memoryBytes));
  }
  return {
    dir,
    procsFile: join(dir, "cgroup.procs"),
    peakBytes: () => readNumber(join(dir, "memory.max_usage_in_bytes")),
    oomKills: () => readNumber(join(dir, "memory.oom_control"), /^oom_kill (\d+)$/m),
  };
}

/** The cgroup directories under `dir` (the agent makes its own for workers), deepest first, then `dir`. */
function cgroupTree(dir: string): string[] {
  const children = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  return [...children.flatMap((child) => cgroupTree(join(dir, child.name))), dir];
}

/** Ends what is left in the cgroup and below (processes this bench started), then removes them all. */
async function removeCgroup(cgroup: BenchCgroup): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      for (const dir of cgroupTree(cgroup.dir)) {
        const pids = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
        for (const pid of pids) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
        if (pids.length === 0) rmdirSync(dir);
      }
      return;
    } catch {
      await Bun.sleep(100);
    }
  }
  console.error(`small-device.ts: could not remove ${cgroup.dir}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The benches

const benchDir = import.meta.dir;
const binary = flags.binary ? ["--binary", flags.binary] : [];
const seconds = ["--seconds", String(flags.seconds)];
const benches: string[][] = parsed.positionals.length > 0 ? [parsed.positionals] : [
  [join(benchDir, "invoke.ts"), ...seconds, "--mode", "NoContainer", ...binary],
  [join(benchDir, "events.ts"), ...seconds, ...binary],
  [join(benchDir, "compare.ts"), ...seconds, "--runs", String(flags.runs), "--sides", "lambdalet", ...binary],
];

let current: { cgroup: BenchCgroup; proc?: Bun.Subprocess } | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    const running = current;
    if (!running) process.exit(130);
    console.error(`\n${signal}: stopping the bench and removing ${running.cgroup.dir}`);
    running.proc?.kill(signal);
    void (running.proc?.exited ?? Promise.resolve()).then(() => removeCgroup(running.cgroup)).finally(() =>
      process.exit(130)
    );
  });
}

const nproc = Number(Bun.spawnSync({ cmd: [TASKSET, "-c", flags.cpus, "nproc"] }).stdout.toString().trim());
console.log(
  `small-device profile: taskset -c ${flags.cpus} (${nproc} CPU), ${
    flags["memory-mb"]
  } MB memory cgroup (${hierarchy}, under ${parentDir})`,
);
const summary: string[] = [];
for (const [index, bench] of benches.entries()) {
  const cgroup = makeCgroup(`lambdalet-small-device-${process.pid}-${index}`);
  current = { cgroup };
  const title = bench.map((part) => part.replace(`${benchDir}/`, "scripts/bench/")).join(" ");
  console.log(`\n== ${title}`);
  try {
    // the shell joins the cgroup before exec, so every process the bench starts is born inside it
    const proc = Bun.spawn({
      cmd: [
        "/bin/sh",
        "-c",
        'echo $$ > "$1" && shift && exec "$@"',
        "sh",
        cgroup.procsFile,
        TASKSET,
        "-c",
        flags.cpus,
        process.execPath,
        ...bench,
      ],
      stdin: "ignore",
      stdout: "inherit",
      stderr: "inherit",
    });
    current.proc = proc;
    const code = await proc.exited;
    const peak = cgroup.peakBytes() / 2 ** 20;
    const line = `${title}: exit ${code}, peak memory ${
      Number.isFinite(peak) ? peak.toFixed(1) : "n/a"
    } MB of ${flags["memory-mb"]} MB, OOM kills ${cgroup.oomKills()}`;
    console.log(line);
    summary.push(line);
    if (code !== 0) process.exitCode = 1;
  } finally {
    await removeCgroup(cgroup);
    current = undefined;
  }
}
console.log("\nsmall-device summary");
for (const line of summary) console.log(`  ${line}`);
