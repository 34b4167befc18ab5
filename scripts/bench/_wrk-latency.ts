/** @module Runs wrk for compare.ts (one thread, a 10 s timeout: a slow answer counts as slow, not lost) and reads it. */

/** One wrk run's figures. */
export interface WrkCell {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers plus socket errors (connect, read, write, timeout). */
  errors: number;
}

/** What one wrk run loads. */
export interface WrkLoad {
  /** The wrk binary. */
  wrk: string;
  /** The URL wrk POSTs to. */
  target: string;
  /** The Lua script that sets the method, body and headers. */
  script: string;
}

const MS_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A wrk script that POSTs `{}` with `headers` (host aside, which wrk sets). */
export function luaScript(headers: Record<string, string>): string {
  const lines = Object.entries(headers).filter(([key]) => key.toLowerCase() !== "host").map(([key, value]) =>
    `wrk.headers[${JSON.stringify(key)}] = ${JSON.stringify(value)}`
  );
  return ['wrk.method = "POST"', 'wrk.body = "{}"', ...lines, ""].join("\n");
}

/** Runs wrk on `load` with `concurrency` connections for `seconds`; `track` is told of the process while it runs. */
export async function runWrk(
  load: WrkLoad,
  options: { concurrency: number; seconds: number; track?: (proc: Bun.Subprocess) => () => void },
): Promise<WrkCell> {
  const proc = Bun.spawn({
    cmd: [
      load.wrk,
      "-t1",
      `-c${options.concurrency}`,
      `-d${options.seconds}s`,
      "--latency",
      "--timeout",
      "10s",
      "-s",
      load.script,
      load.target,
    ],
    stdout: "pipe",
    stderr: "pipe",
  });
  const untrack = options.track?.(proc);
  const [text, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  untrack?.();
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (proc.exitCode !== 0 || !rps) throw new Error(`wrk failed:\n${text}${err}`);
  const latency = (p: number) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, "m").exec(text);
    const ms = match ? Number(match[1]) * (MS_PER_UNIT[match[2]!] ?? NaN) : NaN;
    return ms > 0 ? ms : NaN; // wrk prints 0.00us when no request completed
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  return { rps: Number(rps[1]), p50Ms: latency(50), p99Ms: latency(99), errors };
}

/** The median of `values`. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
