/** @module The facts and tables of compare.ts: the machine, the median of each cell and the ratios. */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg, release, totalmem } from "node:os";
import { installedVersion } from "./_serverless-offline.ts";
import { median, type WrkCell } from "./_wrk-latency.ts";

/** One side's cell: the medians of its runs. */
export interface CellSummary {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Errors over all runs. */
  errors: number;
  runs: WrkCell[];
}

/** Cells by side name, then by concurrency. */
export type Results = Record<string, Record<string, CellSummary>>;

/** Ratios lambdalet / serverless-offline by side name, then by concurrency. */
export type Ratios = Record<string, Record<string, { rps: number; p50: number; p99: number }>>;

/** The medians of each cell's runs (each figure's median taken on its own). */
export function summarize(samples: Map<string, Map<number, WrkCell[]>>): Results {
  return Object.fromEntries(
    [...samples].map(([name, byConcurrency]) => [
      name,
      Object.fromEntries([...byConcurrency].map(([concurrency, cells]) => [concurrency, {
        rps: median(cells.map((cell) => cell.rps)),
        p50Ms: median(cells.map((cell) => cell.p50Ms)),
        p99Ms: median(cells.map((cell) => cell.p99Ms)),
        errors: cells.reduce((sum, cell) => sum + cell.errors, 0),
        runs: cells,
      }])),
    ]),
  );
}

/** What `cmd` prints, or null when it fails. */
function commandText(cmd: string[], cwd?: string): string | null {
  try {
    const result = Bun.spawnSync({ cmd, ...(cwd ? { cwd } : {}), stdout: "pipe", stderr: "pipe" });
    return result.exitCode === 0 ? `${result.stdout.toString()}${result.stderr.toString()}`.trim() : null;
  } catch {
    return null;
  }
}

/** The machine and the versions of everything measured; `tools` are the paths of wrk and node. */
export function machineFacts(
  repo: string,
  tools: { wrk: string; node: string },
): Record<string, string | number> {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown";
  const commit = commandText(["git", "rev-parse", "--short", "HEAD"], repo);
  const status = commit ? commandText(["git", "status", "--porcelain", "--untracked-files=no"], repo) : null;
  const dirty = status !== null && status !== "";
  // `wrk -v` prints its version (and usage), exiting 1
  const wrkOutput = Bun.spawnSync({ cmd: [tools.wrk, "-v"], stdout: "pipe", stderr: "pipe" }).stdout
    .toString();
  return {
    nproc: availableParallelism(),
    cpu,
    kernel: release(),
    memoryMb: Math.round(totalmem() / 2 ** 20),
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    bun: Bun.version,
    node: commandText([tools.node, "--version"]) ?? "unknown",
    wrk: /wrk \S+/.exec(wrkOutput)?.[0] ?? "unknown",
    serverless: installedVersion("serverless"),
    serverlessOffline: installedVersion("serverless-offline"),
    lambdalet: `${repo} @ ${commit ?? "unknown"}${dirty ? " (with uncommitted changes)" : ""}`,
  };
}

/** A number with `digits` decimals, or n/a. */
export const fmt = (n: number, digits: number): string => Number.isFinite(n) ? n.toFixed(digits) : "n/a";

/** Prints the facts, the settings, a table per side and the ratios to serverless-offline; returns the ratios. */
export function printReport(
  title: string,
  facts: Record<string, unknown>,
  settings: Record<string, unknown>,
  results: Results,
): Ratios {
  console.log(`\n${title}`);
  for (const [key, value] of Object.entries({ ...facts, ...settings })) console.log(`  ${key}: ${value}`);
  for (const [name, byConcurrency] of Object.entries(results)) {
    console.log(`\n${name}`);
    console.log("  concurrency      req/s    p50 ms    p99 ms  errors");
    for (const [concurrency, cell] of Object.entries(byConcurrency)) {
      const figures = [
        fmt(cell.rps, 0).padStart(10),
        fmt(cell.p50Ms, 3).padStart(9),
        fmt(cell.p99Ms, 3).padStart(9),
      ];
      console.log(`  ${concurrency.padStart(11)} ${figures.join(" ")} ${String(cell.errors).padStart(7)}`);
    }
  }
  const baseline = results["serverless-offline"];
  const ratios: Ratios = {};
  if (!baseline) return ratios;
  for (const [name, byConcurrency] of Object.entries(results)) {
    if (name === "serverless-offline") continue;
    ratios[name] = {};
    console.log(`\n${name} / serverless-offline (req/s: higher is better; latency: lower is better)`);
    console.log("  concurrency   req/s ×   p50 ×   p99 ×");
    for (const [concurrency, cell] of Object.entries(byConcurrency)) {
      const base = baseline[concurrency]!;
      const ratio = { rps: cell.rps / base.rps, p50: cell.p50Ms / base.p50Ms, p99: cell.p99Ms / base.p99Ms };
      ratios[name][concurrency] = ratio;
      const figures = [
        fmt(ratio.rps, 2).padStart(9),
        fmt(ratio.p50, 2).padStart(7),
        fmt(ratio.p99, 2).padStart(7),
      ];
      const flag = cell.errors || base.errors ? "  (with errors: see the tables)" : "";
      console.log(`  ${concurrency.padStart(11)} ${figures.join(" ")}${flag}`);
    }
  }
  return ratios;
}
