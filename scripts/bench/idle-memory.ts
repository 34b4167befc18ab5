/**
 * @module Idle memory and start benchmark: `bun scripts/bench/idle-memory.ts [--binary PATH] [--starts 5]
 * [--workers 50] [--idle-seconds 3]`.
 *
 * Builds the binary for this host (unless `--binary` names one), then prints: the time from spawning
 * `lambdalet serve` to its first 200 from `/healthz` (median of `--starts` fresh data dirs, and of as many
 * restarts on an existing one), the agent's RSS after `--idle-seconds` idle (median over the starts, with its
 * anonymous and file-backed parts), and the agent's RSS growth per idle warm worker: a no-op nodejs function in
 * NoContainer mode is invoked 10 at a time, then `10 + --workers` at a time (each invocation holds its worker 5 s,
 * so that each concurrent one gets its own under the adaptive scale-out), and the difference of the two idle RSS
 * is divided by the difference of the idle worker counts the agent reports.
 *
 * `--imports` prints instead what each import costs: one small binary per package or part of `lib` imports it alone
 * and reads its own RSS after 2 s, next to a binary that imports nothing (the parts overlap: they share what they
 * import).
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { tempDir } from "../../tests/helpers/agent-process.ts";
import { apiFetch, registerAgent } from "../../tests/helpers/api-client.ts";
import { buildBinary } from "../build.ts";
import { createNodeFunction } from "./_functions.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    binary: { type: "string" },
    starts: { type: "string", default: "5" },
    workers: { type: "string", default: "50" },
    "idle-seconds": { type: "string", default: "3" },
    imports: { type: "boolean", default: false },
  },
});
const starts = Number(values.starts);
const workers = Number(values.workers);
const idleMs = Number(values["idle-seconds"]) * 1000;

/** Holds its worker 5 s, so that concurrent invocations each get one (a worker starts in well under that). */
const HOLD = "exports.handler = async () => { await new Promise((r) => setTimeout(r, 5000)); return null; };";

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** VmRSS, RssAnon and RssFile of `pid`, in MB. */
function memory(pid: number): { rss: number; anon: number; file: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(text)?.[1] ?? 0) / 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") + kb("RssShmem") };
}

/** A port nothing listens on now. */
function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

interface Started {
  proc: Bun.Subprocess<"ignore", "ignore", "pipe">;
  url: string;
  /** From spawn to the first 200 of /healthz, ms. */
  startMs: number;
}

/** Spawns `serve` on a free port with `dataDir` and waits for /healthz. */
async function start(binary: string, dataDir: string): Promise<Started> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const began = performance.now();
  const proc = Bun.spawn({
    cmd: [
      binary,
      "serve",
      "--port",
      String(port),
      "--data-dir",
      dataDir,
      "--default-container-mode",
      "NoContainer",
    ],
    cwd: join(dataDir, ".."),
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null || performance.now() - began > 30_000) {
      proc.kill();
      throw new Error(`The agent did not start: ${await new Response(proc.stderr).text()}`);
    }
    await Bun.sleep(2);
  }
  const startMs = performance.now() - began;
  registerAgent(url, dataDir);
  return { proc, url, startMs };
}

async function stop(started: Started): Promise<void> {
  started.proc.kill("SIGTERM");
  await started.proc.exited;
}

async function invoke(url: string, name: string): Promise<void> {
  const response = await apiFetch(`${url}/2015-03-31/functions/${name}/invocations`, {
    method: "POST",
    body: "{}",
  });
  const text = await response.text();
  if (response.status !== 200 || response.headers.get("x-amz-function-error")) {
    throw new Error(`invoke ${name} failed: ${response.status} ${text}`);
  }
}

/** The agent's RSS once it has been quiet a while (read three times, the lowest). */
async function settledRss(pid: number): Promise<number> {
  const reads: number[] = [];
  for (let i = 0; i < 3; i++) {
    await Bun.sleep(idleMs / 3);
    reads.push(memory(pid).rss);
  }
  return Math.min(...reads);
}

const ROOT = join(import.meta.dir, "..", "..");

/** What `--imports` measures: packages, and parts of `lib` by their module. */
const IMPORTS = [
  "citty",
  "valibot",
  "hono",
  "hono/jsx",
  "bun:sqlite",
  "prom-client",
  "mqtt",
  "@smithy/signature-v4",
  "@smithy/core/event-streams",
  "yauzl",
  "fflate",
  ...[
    "config",
    "store",
    "runtimes",
    "sandbox",
    "auth",
    "code",
    "scheduler",
    "metrics",
    "mqtt",
    "functions",
    "dashboard",
    "sample-events",
    "api",
  ].map((part) => join(ROOT, "lib", part, "mod.ts")),
  join(ROOT, "lib", "agent.ts"),
];

/** Builds and runs one binary per entry of {@linkcode IMPORTS}; prints each one's RSS over the empty one's. */
async function measureImports(work: string): Promise<void> {
  const read = `const text = (await import("node:fs")).readFileSync("/proc/self/status", "utf8");
const kb = (name) => Number(text.split("\\n").find((line) => line.startsWith(name + ":"))?.split(/\\s+/)[1] ?? 0);
console.log(JSON.stringify({ rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") }));
process.exit(0);`;
  const entries = [["(nothing)", ""], ...IMPORTS.map((name) => [name, name])] as const;
  const results: { name: string; rss: number; anon: number; file: number }[] = [];
  for (const [index, [name, specifier]] of entries.entries()) {
    // in the repository, so that its packages resolve
    const source = join(ROOT, `.idle-memory-${process.pid}-${index}.ts`);
    const program = join(work, `import-${index}`);
    writeFileSync(
      source,
      `${specifier ? `(globalThis as any).kept = await import(${JSON.stringify(specifier)});\n` : ""}` +
        `await Bun.sleep(2000);\n${read}\n`,
    );
    try {
      const build = Bun.spawnSync({
        cmd: [process.execPath, "build", "--compile", "--minify", source, "--outfile", program],
        cwd: ROOT,
        stdout: "ignore",
        stderr: "pipe",
      });
      if (build.exitCode !== 0) throw new Error(`cannot build ${name}: ${build.stderr.toString()}`);
    } finally {
      rmSync(source, { force: true });
    }
    const run = Bun.spawn({ cmd: [program], stdout: "pipe" });
    const [text] = await Promise.all([new Response(run.stdout).text(), run.exited]);
    results.push({ name, ...JSON.parse(text) });
  }
  const empty = results[0]!;
  const mb = (kb: number) => (kb / 1024).toFixed(1).padStart(5);
  console.log(`import costs, RSS after 2 s over a binary that imports nothing (${mb(empty.rss)} MB):`);
  for (const item of results.slice(1)) {
    console.log(
      `  +${mb(item.rss - empty.rss)} MB (anonymous +${mb(item.anon - empty.anon)}, file-backed +${
        mb(item.file - empty.file)
      })  ${item.name.startsWith(ROOT) ? item.name.slice(ROOT.length + 1) : item.name}`,
    );
  }
}

let binary = values.binary ? resolve(values.binary) : "";
/** The idle workers of the `hold` function, as the agent reports them. */
async function idleWorkers(url: string): Promise<number> {
  const response = await apiFetch(`${url}/2015-03-31/functions/hold`);
  const body = await response.json() as { Configuration: { EdgeStatus?: { workers: { idle: number } } } };
  return body.Configuration.EdgeStatus?.workers.idle ?? 0;
}

const work = tempDir("lambdalet-idle-");
try {
  if (values.imports) {
    await measureImports(work);
    process.exit(0);
  }
  if (!binary) {
    const target = process.arch === "arm64" ? "arm64" : "x64";
    binary = await buildBinary(target, join(work, "bin"), { fileName: "lambdalet" });
  } else {
    // a file just written, as a fresh build is: how much of an executable's file the kernel maps at once depends on
    // how its pages sit in the page cache (the same binary measured 53 and 57 MB, old and copied)
    const copy = join(work, "lambdalet");
    copyFileSync(binary, copy);
    chmodSync(copy, 0o755);
    binary = copy;
  }

  const freshStarts: number[] = [];
  const restarts: number[] = [];
  const rss: number[] = [];
  const anon: number[] = [];
  const file: number[] = [];
  for (let i = 0; i < starts; i++) {
    const dataDir = join(work, `data-${i}`);
    mkdirSync(dataDir, { recursive: true });
    const fresh = await start(binary, dataDir);
    freshStarts.push(fresh.startMs);
    await stop(fresh);
    const again = await start(binary, dataDir);
    restarts.push(again.startMs);
    await Bun.sleep(idleMs);
    const read = memory(again.proc.pid);
    rss.push(read.rss);
    anon.push(read.anon);
    file.push(read.file);
    await stop(again);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const dataDir = join(work, "data-workers");
  mkdirSync(dataDir, { recursive: true });
  const agent = await start(binary, dataDir);
  let perWorker: { before: number; after: number; workersBefore: number; workersAfter: number };
  try {
    await createNodeFunction(agent.url, "hold", HOLD, {
      MemorySize: 128,
      Timeout: 30,
      Edge: { containerMode: "NoContainer", maxIdleTimeInSeconds: 600, maxInstancesCount: workers + 20 },
    });
    const base = 10;
    await Promise.all(Array.from({ length: base }, () => invoke(agent.url, "hold")));
    const before = await settledRss(agent.proc.pid);
    const workersBefore = await idleWorkers(agent.url);
    await Promise.all(Array.from({ length: base + workers }, () => invoke(agent.url, "hold")));
    const after = await settledRss(agent.proc.pid);
    perWorker = { before, after, workersBefore, workersAfter: await idleWorkers(agent.url) };
  } finally {
    await stop(agent);
  }

  console.log(
    `lambdalet idle memory and start (${values.binary ? `binary ${values.binary}` : "built for this host"})`,
  );
  console.log(
    `start to /healthz, median of ${starts}: fresh data dir ${median(freshStarts).toFixed(0)} ms (${
      freshStarts.map((ms) => ms.toFixed(0)).join(", ")
    }), restart ${median(restarts).toFixed(0)} ms (${restarts.map((ms) => ms.toFixed(0)).join(", ")})`,
  );
  console.log(
    `idle RSS after ${idleMs / 1000} s, median of ${starts}: ${median(rss).toFixed(1)} MB (anonymous ${
      median(anon).toFixed(1)
    } MB, file-backed ${median(file).toFixed(1)} MB)`,
  );
  const delta = perWorker.after - perWorker.before;
  const added = Math.max(1, perWorker.workersAfter - perWorker.workersBefore);
  console.log(
    `agent RSS per idle warm worker: ${(delta / added).toFixed(3)} MB (${
      perWorker.before.toFixed(1)
    } MB with ${perWorker.workersBefore}, ${perWorker.after.toFixed(1)} MB with ${perWorker.workersAfter})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
