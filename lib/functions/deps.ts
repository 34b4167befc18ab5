/** @module What the control plane is built from: the agent's lower parts and settings. */
import type { CodeStore } from "../code/mod.ts";
import type { AgentFunctionDefaults, MqttOptions } from "../config/mod.ts";
import type { RuntimeHost } from "../runtimes/mod.ts";
import type { Sandbox } from "../sandbox/mod.ts";
import type { Scheduler } from "../scheduler/mod.ts";
import type { Store } from "../store/mod.ts";
import type { ChangeFeed } from "./change-feed.ts";

/** What the control plane asks of the scheduler (tests of the API give a double of it where no worker is needed). */
export type InvocationRunner = Pick<
  Scheduler,
  "invoke" | "ensureStarted" | "retire" | "status" | "statusOf" | "provision" | "admission"
>;

/** The parts the control plane works with. */
export interface ControlPlaneDeps {
  /** Durable state. */
  store: Store;
  /** Code zips and their extracted folders. */
  code: CodeStore;
  /** Runs invocations. */
  scheduler: InvocationRunner;
  /** Decides how a function's workers would run here, and whether they can. */
  sandbox: Sandbox;
  /** The interpreter each runtime id resolved to at start, and whether other versions are refused. */
  runtimes: RuntimeHost;
  /** Defaults from the agent's configuration. */
  defaults: AgentFunctionDefaults;
  /** The region named in ARNs. */
  region: string;
  /** The account id named in ARNs. */
  accountId: string;
  /** The MQTT bridge's settings (the agent config's `mqtt`): without them `IOT_CORE` sources are refused. @default null */
  mqtt?: MqttOptions | null;
}

/** What the control plane's own parts are given: its inputs, and the feed of function changes they write to. */
export interface PartDeps extends ControlPlaneDeps {
  /** Told of every change to a function's stored state. */
  changes: ChangeFeed;
}
