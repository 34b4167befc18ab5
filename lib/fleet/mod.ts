/**
 * @module The device side of a fleet: the agent connects out to the NATS hub (never blocking its start), watches its
 * groups' desired state, applies the merged document through its deployment engine, reports its status, and
 * answers remote invokes. The hub being away changes nothing locally; the device catches up when it returns.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { FleetOptions } from "../config/mod.ts";
import { VERSION_LINE } from "../version.ts";
import { recordDesiredEvent, restoreDesired } from "./accepted-desired.ts";
import { Applier } from "./applier.ts";
import { fetchCode } from "./code-fetch.ts";
import { connectFleet } from "./connection.ts";
import { type DesiredEvent, DesiredWatcher } from "./desired-watcher.ts";
import type { FleetDeps } from "./fleet-deps.ts";
import { type FleetStateData, FleetStateFile } from "./fleet-state.ts";
import { functionsOf } from "./function-reports.ts";
import { InvokeResponder } from "./invoke-responder.ts";
import { type MergedDesired, mergeDesired } from "./selection.ts";
import { type DeviceStatus, STATUS_FORMAT, StatusWriter } from "./status-writer.ts";

export type { FleetDeps } from "./fleet-deps.ts";
export { type DeviceStatus, type FunctionReport, STATUS_FORMAT } from "./status-writer.ts";
export { type Attempt, FLEET_STATE_FILE, type FleetStateData, type Refusal } from "./fleet-state.ts";
export { type GroupSelection, type MergedDesired, mergeDesired, selectGroup } from "./selection.ts";
export {
  INVOKE_FORMAT,
  type InvokeReply,
  type InvokeRequest,
  InvokeRequestSchema,
} from "./invoke-responder.ts";

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
  const desired = restoreDesired(options, state, warn);
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
    recordDesiredEvent(event, desired, state, warn);
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
