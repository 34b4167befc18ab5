/**
 * @module Side-by-side benchmark against serverless-offline: `bun scripts/bench/compare.ts [--seconds 10] [--runs 3]
 * [--concurrency 1,8,64] [--warmup 1] [--binary PATH] [--repo DIR] [--sides lambdalet,serverless-offline]
 * [--json FILE]`.
 *
 * Runs the same no-op Node.js handler on lambdalet (from source — this checkout's or `--repo DIR`'s main.ts — and,
 * with `--binary`, a compiled agent; NoContainer, default scheduler settings) and on serverless-offline (installed
 * with npm once into a cache folder under the temp dir), each started fresh for every cell, and loads each through
 * the Lambda Invoke endpoint with wrk (one thread) at every concurrency. Each cell is the median of `--runs` runs;
 * it prints req/s, p50 and p99 per side, the ratios lambdalet/serverless-offline and the machine's facts.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import * as v from "valibot";
import { signRequest } from "../../lib/auth/mod.ts";
import { REPO_ROOT, startAgentProcess, tempDir } from "../../tests/helpers/agent-process.ts";
import { agentCredentials } from "../../tests/helpers/api-client.ts";
import { fmt, machineFacts, printReport, summarize } from "./_compare-report.ts";
import { luaScript, runWrk, type WrkCell } from "./_wrk-latency.ts";
import { installServerlessOffline, startServerlessOffline } from "./_serverless-offline.ts";
import { positiveFlag } from "./_flags.ts";
import { createNodeFunction } from "./_functions.ts";

const HANDLER = "exports.handler = async () => null;";
const FUNCTION_NAME = "noop";
const SIDES = ["lambdalet", "serverless-offline"] as const;

// ---------------------------------------------------------------------------------------------------------------
// Flags

function fail(message: string): never {
  console.error(`compare.ts: ${message}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    args: Bun.argv.slice(2),
    strict: true,
    options: {
      seconds: { type: "string", default: "10" },
      runs: { type: "string", default: "3" },
      concurrency: { type: "string", default: "1,8,64" },
      warmup: { type: "string", default: "1" },
      binary: { type: "string" },
      repo: { type: "string" },
      sides: { type: "string", default: SIDES.join(",") },
      json: { type: "string" },
    },
  });
} catch (error) {
  fail((error as Error).message);
}

const FlagsSchema = v.object({
  seconds: positiveFlag("seconds", true), // wrk takes whole seconds
  runs: positiveFlag("runs", true),
  warmup: v.pipe(
    v.string(),
    v.transform(Number),
    v.check(
      (n) => Number.isInteger(n) && n >= 0,
      (i) => `'--warmup' must be an integer ≥ 0: current value is ${i.input}`,
    ),
  ),
  concurrency: v.pipe(
    v.string(),
    v.regex(
      /^\s*[1-9]\d*\s*(,\s*[1-9]\d*\s*)*$/,
      (issue) =>
        `'--concurrency' must be a comma-separated list of integers > 0: current value is ${issue.input}`,
    ),
    v.transform((text) => text.split(",").map((part) => Number(part.trim()))),
  ),
  sides: v.pipe(
    v.string(),
    v.check(
      (text) => text.split(",").every((side) => (SIDES as readonly string[]).includes(side.trim())),
      (issue) => `'--sides' must list some of ${SIDES.join(", ")}: current value is ${issue.input}`,
    ),
    v.transform((text) => text.split(",").map((part) => part.trim())),
  ),
  binary: v.optional(v.pipe(
    v.string(),
    v.transform((path) => resolve(path)),
    v.check(
      (path) => existsSync(path),
      (issue) => `'--binary' must be an existing file: current value is ${issue.input}`,
    ),
  )),
  repo: v.optional(v.pipe(
    v.string(),
    v.transform((path) => resolve(path)),
    v.check(
      (dir) => existsSync(join(dir, "main.ts")),
      (issue) => `'--repo' must be a lambdalet checkout (with main.ts): current value is ${issue.input}`,
    ),
    v.check(
      (dir) => existsSync(join(dir, "node_modules")),
      (issue) => `'--repo' has no node_modules: run 'bun install' in ${issue.input} first`,
    ),
  )),
  json: v.optional(v.string()),
});
const flagsResult = v.safeParse(FlagsSchema, parsed.values, { abortPipeEarly: true });
if (!flagsResult.success) fail(flagsResult.issues.map((issue) => issue.message).join("\n"));
const flags = flagsResult.output;
const WRK = Bun.which("wrk") ?? fail("wrk is needed (Debian package wrk)");
const NODE = Bun.which("node") ?? fail("node is needed (serverless-offline runs on it)");
const REPO = flags.repo ?? REPO_ROOT;

// ---------------------------------------------------------------------------------------------------------------
// Cleanup: every process and temp dir goes, on a normal exit and on Ctrl-C

const cleanups = new Set<() => Promise<void>>();
const root = tempDir("lambdalet-compare-");
let dirCount = 0;

function newDir(name: string): string {
  const dir = join(root, `${name}-${++dirCount}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

async function cleanUp(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => {});
  rmSync(root, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping every process and removing ${root}`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** Stops `proc` with SIGTERM, and SIGKILL after 5 s. */
async function stopProcess(proc: Bun.Subprocess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await proc.exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------------------------
// The sides

/** A side started for one cell: where wrk sends its load, with which script. */
interface Running {
  name: string;
  target: string;
  /** The headers every request carries (the replayed signature, or none). */
  headers: Record<string, string>;
  wrkScript: string;
  stop(): Promise<void>;
}

interface Side {
  name: string;
  start(): Promise<Running>;
}

function lambdaletSide(name: string, command: string[]): Side {
  return {
    name,
    async start() {
      const dir = newDir("agent");
      const agent = await startAgentProcess({ command, dataDir: join(dir, "data") });
      const stop = async () => {
        cleanups.delete(stop);
        await stopProcess(agent.proc);
        rmSync(dir, { recursive: true, force: true });
      };
      cleanups.add(stop);
      // Node.js needs more than the 16 MB container default
      await createNodeFunction(agent.url, FUNCTION_NAME, HANDLER, { MemorySize: 128 }).catch((error) => {
        throw new Error(`${name}: ${error instanceof Error ? error.message : error}`);
      });
      const target = `${agent.url}/2015-03-31/functions/${FUNCTION_NAME}/invocations`;
      // Signed as an SDK signs (AWS_IAM, the default): once, replayed by wrk, as the agent allows within 15 minutes.
      const headers = await signRequest(
        { method: "POST", url: target, body: "{}" },
        agentCredentials(target)!,
        "us-east-1",
      );
      const wrkScript = join(dir, "post.lua");
      writeFileSync(wrkScript, luaScript(headers));
      return { name, target, headers, wrkScript, stop };
    },
  };
}

const serverlessOfflineSide: Side = {
  name: "serverless-offline",
  async start() {
    const dir = newDir("serverless");
    const { target, proc } = await startServerlessOffline(dir, FUNCTION_NAME, HANDLER);
    const stop = async () => {
      cleanups.delete(stop);
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    };
    cleanups.add(stop);
    const wrkScript = join(dir, "post.lua");
    writeFileSync(wrkScript, luaScript({}));
    return { name: "serverless-offline", target, headers: {}, wrkScript, stop };
  },
};

/**
 * Sends `concurrency` invocations at once and waits for every answer, so that both sides have started what serves
 * that many callers (lambdalet's workers, serverless-offline's worker threads) before wrk measures.
 */
async function warmUp(running: Running, concurrency: number): Promise<void> {
  await Promise.all(Array.from({ length: concurrency }, async () => {
    const response = await fetch(running.target, { method: "POST", body: "{}", headers: running.headers });
    const text = await response.text();
    if (response.status !== 200 || response.headers.get("x-amz-function-error")) {
      throw new Error(`${running.name}: an invocation failed: ${response.status} ${text}`);
    }
  }));
}

function wrkRun(running: Running, concurrency: number, seconds: number): Promise<WrkCell> {
  return runWrk({ wrk: WRK, target: running.target, script: running.wrkScript }, {
    concurrency,
    seconds,
    track(proc) {
      const kill = () => stopProcess(proc);
      cleanups.add(kill);
      return () => cleanups.delete(kill);
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Main

const sides: Side[] = [];
if (flags.sides.includes("lambdalet")) {
  sides.push(lambdaletSide("lambdalet (source)", [process.execPath, join(REPO, "main.ts")]));
  if (flags.binary) sides.push(lambdaletSide("lambdalet (binary)", [flags.binary]));
}
if (flags.sides.includes("serverless-offline")) sides.push(serverlessOfflineSide);

try {
  if (flags.sides.includes("serverless-offline")) await installServerlessOffline(join(root, "npm-install"));
  const samples = new Map<string, Map<number, WrkCell[]>>(
    sides.map((side) => [side.name, new Map(flags.concurrency.map((c) => [c, []]))]),
  );
  for (let run = 1; run <= flags.runs; run++) {
    for (const concurrency of flags.concurrency) {
      for (const side of sides) {
        const running = await side.start();
        try {
          await warmUp(running, concurrency);
          if (flags.warmup > 0) await wrkRun(running, concurrency, flags.warmup);
          const cell = await wrkRun(running, concurrency, flags.seconds);
          samples.get(side.name)!.get(concurrency)!.push(cell);
          console.error(
            `run ${run}/${flags.runs}, concurrency ${concurrency}, ${side.name}: ${
              fmt(cell.rps, 0)
            } req/s, p50 ${fmt(cell.p50Ms, 2)} ms, p99 ${fmt(cell.p99Ms, 2)} ms${
              cell.errors ? `, ${cell.errors} errors` : ""
            }`,
          );
        } finally {
          await running.stop();
        }
      }
    }
  }

  const results = summarize(samples);
  const facts = machineFacts(REPO, { wrk: WRK, node: NODE });
  const settings = {
    seconds: flags.seconds,
    runs: flags.runs,
    warmupSeconds: flags.warmup,
    concurrency: flags.concurrency,
    loadGenerator:
      "wrk -t1 --timeout 10s, POST {} to /2015-03-31/functions/<name>/invocations; fresh process per cell, " +
      "warmed by <concurrency> parallel calls and a wrk warm-up run",
    lambdaletSetup:
      "NoContainer, default scheduler settings, nodejs20.x MemorySize 128; SigV4-signed requests (AWS_IAM)",
    serverlessOfflineSetup: "default options, lambdaPort Invoke, unsigned (it checks no signature)",
    handler: HANDLER,
  };

  const title = `${
    sides.map((side) => side.name).join(" vs ")
  }: no-op Node.js handler, median of ${flags.runs} run(s)`;
  const ratios = printReport(title, facts, settings, results);
  if (flags.json) {
    writeFileSync(flags.json, `${JSON.stringify({ machine: facts, settings, results, ratios }, null, 2)}\n`);
    console.log(`\nwrote ${flags.json}`);
  }
} finally {
  await cleanUp();
}
