/** @module `GET /metrics`: the agent's Prometheus metrics, and who may read them without a signature (loopback). */
import type { Server } from "bun";
import type { Handler } from "hono";
import type { ApiDeps, ApiEnv } from "./context.ts";

/** The path of the metrics. */
export const METRICS_PATH = "/metrics";

/**
 * The TCP peer address of `request`, from the server the app runs in (its environment, as `lib/agent.ts` passes
 * it); null when the app is called without one (in process), so that nothing but a real peer counts as loopback.
 */
export function peerAddressOf(env: unknown, request: Request): string | null {
  const server = (env as { server?: Pick<Server<unknown>, "requestIP"> } | undefined)?.server;
  return server?.requestIP(request)?.address ?? null;
}

/** Whether `address` is a loopback address: `127.0.0.0/8`, `::1`, or either mapped into IPv6. */
export function isLoopbackAddress(address: string | null): boolean {
  if (address === null) return false;
  const bare = address.toLowerCase().replace(/^::ffff:/, "");
  return bare === "::1" || bare === "0:0:0:0:0:0:0:1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Builds the handler that answers every metric in the Prometheus text format. */
export function metricsHandler(deps: Required<Pick<ApiDeps, "metrics">>): Handler<ApiEnv> {
  return async (c) => {
    const text = await deps.metrics.render();
    return c.body(text, 200, { "Content-Type": deps.metrics.contentType });
  };
}
