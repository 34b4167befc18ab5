/** @module What the benchmarks report of their samples: percentiles, and one signed invocation timed. */
import { signRequest } from "../../lib/auth/mod.ts";
import { agentCredentials } from "../../tests/helpers/api-client.ts";

/** The `p`th percentile of `samples` (nearest rank; the samples need not be sorted). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Invokes `name` once, signed with the agent's admin key, and returns the milliseconds it took; throws unless 200. */
export async function timedInvoke(url: string, name: string): Promise<number> {
  const target = `${url}/2015-03-31/functions/${name}/invocations`;
  const headers = await signRequest(
    { method: "POST", url: target, body: "{}" },
    agentCredentials(target)!,
    "us-east-1",
  );
  const started = performance.now();
  const response = await fetch(target, { method: "POST", body: "{}", headers });
  const text = await response.text();
  const elapsed = performance.now() - started;
  if (response.status !== 200 || response.headers.get("x-amz-function-error")) {
    throw new Error(`invoke ${name} failed: ${response.status} ${text}`);
  }
  return elapsed;
}
