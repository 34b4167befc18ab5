/** @module What every API handler is given: the agent's parts and settings. */
import type { Keyring, Principal } from "../auth/mod.ts";
import type { CodeStore } from "../code/mod.ts";
import type { AgentFunctionDefaults } from "../config/mod.ts";
import type { RuntimeHost } from "../runtimes/mod.ts";
import type { Sandbox } from "../sandbox/mod.ts";
import type { Scheduler } from "../scheduler/mod.ts";
import type { ApiKeyRecord, QueuedEvent, Store } from "../store/mod.ts";

/** The agent's parts that API handlers use. */
export interface ApiDeps {
  /** Durable state. */
  store: Store;
  /** Code zips and their extracted folders. */
  code: CodeStore;
  /** Runs invocations. */
  scheduler: Scheduler;
  /** Accepts an Event invocation: commits it to the durable queue (when this returns it is on disk). */
  enqueueEvent(event: Omit<QueuedEvent, "attempts" | "nextAttemptAt" | "lastError">): void;
  /** Tells the Event dispatcher to look at the queue now. */
  wakeEvents(): void;
  /** Knows which container modes this host can run. */
  sandbox: Sandbox;
  /** The interpreter each runtime id resolved to at start, and whether other versions are refused. */
  runtimes: RuntimeHost;
  /** Defaults from the agent's configuration. */
  defaults: AgentFunctionDefaults;
  /** The region named in ARNs. */
  region: string;
  /** The account id named in ARNs. */
  accountId: string;
  /** The keys requests are signed with. */
  keyring: Keyring;
  /** Writes the admin key to the credentials file again (after its rotation). */
  saveDefaultKey(key: ApiKeyRecord): void;
}

/** Hono environment of the API: the request id of each call, and who signed it (null: unsigned). */
export interface ApiEnv {
  Variables: { requestId: string; principal: Principal | null };
}
