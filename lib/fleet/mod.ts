/**
 * @module The device side of a fleet: the agent connects out to the NATS hub (never blocking its start), watches its
 * groups' desired state, applies the merged document through its deployment engine, reports its status, and
 * answers remote invokes. The hub being away changes nothing locally; the device catches up when it returns.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClientCredentials } from "../auth/mod.ts";
import type { CodeStore } from "../code/mod.ts";
import type { FleetOptions } from "../config/mod.ts";
import type { Deployments } from "../functions/mod.ts";
import { LATEST, type Store } from "../store/mod.ts";
import { VERSION_LINE } from "../version.ts";
import { Applier } from "./applier.ts";
import { fetchCode } from "./code-fetch.ts";
import { connectFleet } from "./connection.ts";
import { type DesiredEvent, DesiredWatcher, openDesired } from "./desired-watcher.ts";
import { type FleetStateData, FleetStateFile, MAX_REFUSALS } from "./fleet-state.ts";
import { InvokeResponder } from "./invoke-responder.ts";
import { type GroupDesired, type MergedDesired, mergeDesired } from "./selection.ts";
import { type DeviceStatus, type FunctionReport, STATUS_FORMAT, StatusWriter } from "./status-writer.ts";

export { type DeviceStatus, type FunctionReport, STATUS_FORMAT } from "./status-writer.ts";
export { type Attempt, FLEET_STATE_FILE, type FleetStateData, type Refusal } from "./fleet-state.ts";
export { type GroupSelection, type MergedDesired, mergeDesired, selectGroup } from "./selection.ts";
export {
  INVOKE_FORMAT,
  type InvokeReply,
  type InvokeRequest,
  InvokeRequestSchema,
} from "./invoke-responder.ts";

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

/** The fleet as the agent sees it. */
export interface FleetSnapshot {
  /** Whether the hub is connected now. */
  connected: boolean;
  /** The report the device writes (as it would be written now). */
  report: Omit<DeviceStatus, "reportedAt">;
}

/** A running fleet membership. */
export interface Fleet {
  /** Stops watching, reporting and answering, and closes the connection. */
  stop(): Promise<void>;
  /** The connection and the device's report. */
  status(): FleetSnapshot;
}

/** Joins the fleet of `options`: connects in the background and returns at once. */
export function startFleet(options: FleetOptions, deps: FleetDeps): Fleet {
  const warn = deps.warn ?? ((line: string) => console.warn(line));
  if (options.publicKeys.length === 0) {
    warn("lambdalet: fleet.publicKey is not set: deployment documents from the hub are applied unsigned");
  }
  const stateFile = new FleetStateFile(deps.dataDir);
  const state: FleetStateData = stateFile.load(options.device, warn);
  const desired = new Map<string, GroupDesired>();
  // what was accepted before, checked again (the keys may have changed); groups no longer followed are dropped
  for (const group of options.groups) {
    const saved = state.groups[group];
    const entry: GroupDesired = { stable: null, rollout: null };
    for (const kind of ["stable", "rollout"] as const) {
      const stored = saved?.[kind];
      if (!stored) continue;
      const event = openDesired(
        new Uint8Array(Buffer.from(stored.envelope, "base64")),
        { group, kind, revision: stored.revision },
        options.publicKeys,
      );
      if (event.type === "accepted") {
        entry[kind] = event.accepted;
      } else if (event.type === "refused") {
        warn(`lambdalet: fleet: the saved group.${group}.${kind} is dropped: ${event.reason}`);
      }
    }
    desired.set(group, entry);
  }
  state.groups = Object.fromEntries(
    options.groups.map((group) => [group, {
      stable: desired.get(group)?.stable ? state.groups[group]!.stable : null,
      rollout: desired.get(group)?.rollout ? state.groups[group]!.rollout : null,
    }]),
  );
  const save = () => {
    try {
      stateFile.save(state);
    } catch (error) {
      warn(
        `lambdalet: fleet: cannot save ${stateFile.path}: ${error instanceof Error ? error.message : error}`,
      );
    }
  };
  const merged = (): MergedDesired | null => {
    try {
      return mergeDesired(options.groups, desired, options.device);
    } catch (error) {
      warn(
        `lambdalet: fleet: the groups' documents do not merge: ${
          error instanceof Error ? error.message : error
        }`,
      );
      return null;
    }
  };

  let nc: NatsConnection | null = null;
  let connected = false;
  let stopped = false;
  let statusWriter: StatusWriter | null = null;
  const report = () => statusWriter?.write();

  const applier = new Applier({
    deploy: (document, deployOptions) => deps.deployments.deploy(document, deployOptions),
    lease: () => deps.code.lease(),
    fetchCode: async (document, lease) => {
      if (!nc) throw new Error("the hub is not connected");
      return await fetchCode(nc, document, { code: deps.code, blobs: deps.store.code }, lease);
    },
    lastAttempt: () => state.lastAttempt,
    saveAttempt: (attempt) => {
      state.lastAttempt = attempt;
      save();
    },
    onChange: report,
    warn,
  });

  const pending = new Map<string, number>();
  const onEvent = (event: DesiredEvent, left: number) => {
    pending.set(event.group, left);
    const group = state.groups[event.group]!;
    const entry = desired.get(event.group)!;
    if (event.type === "accepted") {
      entry[event.kind] = event.accepted;
      group[event.kind] = {
        revision: event.revision,
        envelope: Buffer.from(event.envelope).toString("base64"),
      };
      // a newer accepted value supersedes the refusals of the same key
      state.refused = state.refused.filter((refusal) =>
        !(refusal.group === event.group && refusal.key === event.kind && refusal.revision < event.revision)
      );
    } else if (event.type === "cleared") {
      entry[event.kind] = null;
      group[event.kind] = null;
    } else {
      const known = state.refused.some((refusal) =>
        refusal.group === event.group && refusal.key === event.kind && refusal.revision === event.revision
      );
      if (!known) {
        warn(
          `lambdalet: fleet: refused group.${event.group}.${event.kind} revision ${event.revision}: ${event.reason}`,
        );
        state.refused = [...state.refused, {
          group: event.group,
          key: event.kind,
          revision: event.revision,
          reason: event.reason,
          keyId: event.keyId,
          at: new Date().toISOString(),
        }].slice(-MAX_REFUSALS);
      }
    }
    save();
    report();
    // the initial values of a watch come together: apply once the last of them is in
    if ([...pending.values()].every((count) => count === 0)) {
      const next = merged();
      if (next) applier.want(next);
    }
  };

  const build = (): Omit<DeviceStatus, "reportedAt"> => {
    const attempt = applier.current ?? state.lastAttempt;
    return {
      format: STATUS_FORMAT,
      device: options.device,
      groups: [...options.groups],
      agentVersion: VERSION_LINE,
      isolation: deps.isolation,
      desired: attempt?.selections ?? merged()?.selections ?? {},
      deployment: attempt && {
        digest: attempt.digest,
        id: attempt.deploymentId,
        status: attempt.status,
        error: attempt.error,
        finishedAt: attempt.finishedAt,
      },
      functions: attempt?.deploymentId ? functionsOf(attempt.deploymentId, deps) : {},
      refused: [...state.refused],
    };
  };

  let watcher: DesiredWatcher | null = null;
  let responder: InvokeResponder | null = null;
  const servers = options.servers.join(", ");
  const connecting = connectFleet({
    servers: options.servers,
    credentials: options.credentials,
    tls: options.tls,
    name: `lambdalet ${options.device}`,
    device: options.device,
    persistent: true,
  }).then((connection) => {
    if (stopped) {
      void connection.close();
      return;
    }
    nc = connection;
    connected = true;
    warn(`lambdalet: fleet: connected to ${connection.getServer()} as ${options.device}`);
    void (async () => {
      for await (const event of connection.status()) {
        if (event.type === "disconnect") {
          connected = false;
          warn(`lambdalet: fleet: disconnected from ${event.server}: reconnecting`);
        } else if (event.type === "reconnect") {
          connected = true;
          warn(`lambdalet: fleet: reconnected to ${event.server}`);
          report();
          const next = merged();
          if (next) applier.retryDownload(next);
        } else if (event.type === "error") {
          warn(`lambdalet: fleet: ${event.error.message}`);
        }
      }
    })();
    statusWriter = new StatusWriter(connection, {
      device: options.device,
      build,
      heartbeatSeconds: options.heartbeatSeconds,
      warn,
    });
    statusWriter.start();
    watcher = new DesiredWatcher(connection, {
      groups: options.groups,
      publicKeys: options.publicKeys,
      onEvent,
      warn,
    });
    watcher.start();
    if (options.invoke) {
      responder = new InvokeResponder({
        device: options.device,
        publicKeys: options.publicKeys,
        url: deps.url,
        region: deps.region,
        adminKey: deps.adminKey,
        fetch: deps.fetch,
        warn,
      });
      responder.start(connection);
    }
  }, (error: unknown) => {
    warn(`lambdalet: fleet: cannot connect to ${servers}: ${error instanceof Error ? error.message : error}`);
  });

  return {
    async stop() {
      stopped = true;
      applier.stop();
      await watcher?.stop();
      await responder?.stop();
      await statusWriter?.stop();
      await nc?.close().catch(() => {});
      await applier.idle();
      void connecting;
    },
    status: () => ({ connected, report: build() }),
  };
}

/** The functions a fleet deployment named, with how it left each and how its workers fare now. */
function functionsOf(deploymentId: string, deps: FleetDeps): Record<string, FunctionReport> {
  const record = deps.store.deployments.get(deploymentId);
  if (!record) return {};
  const reports: Record<string, FunctionReport> = {};
  for (const [name, wanted] of Object.entries(record.functions)) {
    if (!wanted) continue;
    const current = deps.store.functions.getVersion(name, LATEST);
    reports[name] = {
      version: LATEST,
      codeSha256: current?.codeSha256 ?? null,
      state: record.functionStatus[name] ?? record.status,
      lastError: deps.scheduler.statusOf(name, LATEST)?.lastError ?? null,
    };
  }
  return reports;
}
