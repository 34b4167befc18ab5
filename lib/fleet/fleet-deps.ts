/** @module What the device side of a fleet takes from the agent. */
import type { ClientCredentials } from "../auth/mod.ts";
import type { CodeStore } from "../code/mod.ts";
import type { Deployments } from "../functions/mod.ts";
import type { Store } from "../store/mod.ts";

/** What the fleet works with, from the agent. */
export interface FleetDeps {
  /** The agent's data dir (the fleet state file goes there). */
  dataDir: string;
  /** The durable state: code blobs, deployment records, function configs. */
  store: Store;
  /** The code store downloads are added to. */
  code: CodeStore;
  /** The deployment engine. */
  deployments: Pick<Deployments, "deploy">;
  /** The pinned workers' last failures. */
  scheduler: { statusOf(functionName: string, version: string): { lastError?: string } | undefined };
  /** The agent's API base URL and region (remote invokes are signed for them). */
  url: string;
  region: string;
  /** The agent's admin key. */
  adminKey(): ClientCredentials;
  /** The agent's API, in process. */
  fetch(request: Request): Promise<Response>;
  /** `GreengrassContainer`, or `NoContainer: <why>`. */
  isolation: string;
  /** Lines for the agent's log. @default console.warn */
  warn?(line: string): void;
}
