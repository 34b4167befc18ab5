/** @module The agent's durable state in one SQLite file. */
import type { Database } from "bun:sqlite";
import { AliasRepository } from "./aliases.ts";
import { ApiKeyRepository } from "./api-keys.ts";
import { CodeBlobs } from "./code-blobs.ts";
import { openDatabase } from "./database.ts";
import { DeploymentRepository } from "./deployments.ts";
import { EventInvokeConfigs } from "./event-invoke-configs.ts";
import { EventQueue } from "./events.ts";
import { FunctionUidRepository } from "./function-uids.ts";
import { FunctionRepository } from "./functions.ts";
import { ScheduleFireRepository } from "./schedule-fires.ts";
import { FunctionUrlRepository } from "./function-urls.ts";
import { MqttSpool } from "./mqtt-spool.ts";
import { LayerRepository } from "./layers.ts";
import { ProvisionedConcurrencyRepository } from "./provisioned-concurrency.ts";

export { type ApiKeyRecord, ApiKeyRepository, type KeyScope } from "./api-keys.ts";
export { CodeBlobs } from "./code-blobs.ts";
export { openDatabase, SchemaTooNewError } from "./database.ts";
export {
  type DeployedFunction,
  type DeploymentOrigin,
  type DeploymentRecord,
  DeploymentRepository,
  type DeploymentStatus,
} from "./deployments.ts";
export {
  EVENT_INVOKE_DEFAULTS,
  type EventInvokeConfig,
  EventInvokeConfigs,
  type StoredEventInvokeConfig,
} from "./event-invoke-configs.ts";
export {
  type DeadLetter,
  EventQueue,
  type NewQueuedEvent,
  type QueueBacklog,
  type QueuedEvent,
} from "./events.ts";
export { AliasExistsError, type AliasRecord, AliasRepository } from "./aliases.ts";
export {
  FunctionExistsError,
  FunctionRepository,
  LATEST,
  NotFoundError,
  RevisionMismatchError,
  type VersionRow,
} from "./functions.ts";
export { FunctionUidRepository, UidRangeFullError } from "./function-uids.ts";
export {
  type LayerFilter,
  LayerRepository,
  type LayerVersionRecord,
  type NewLayerVersion,
} from "./layers.ts";
export { MqttSpool, type SpoolBounds, type SpooledMessage, type SpoolResult } from "./mqtt-spool.ts";
export type { Page } from "./paging.ts";
export {
  type ProvisionedConcurrencyRecord,
  ProvisionedConcurrencyRepository,
} from "./provisioned-concurrency.ts";
export { type ScheduleFireRecord, ScheduleFireRepository } from "./schedule-fires.ts";
export {
  FunctionUrlExistsError,
  type FunctionUrlRecord,
  FunctionUrlRepository,
  type UrlCors,
} from "./function-urls.ts";

/** The open database and its repositories. */
export interface Store {
  /** The underlying connection. */
  db: Database;
  /** Code zips by SHA-256. */
  code: CodeBlobs;
  /** Functions and versions. */
  functions: FunctionRepository;
  /** Aliases of functions. */
  aliases: AliasRepository;
  /** The durable queue of Event invocations and their dead letters. */
  events: EventQueue;
  /** Retry and destination settings of Event invocations. */
  eventInvokeConfigs: EventInvokeConfigs;
  /** Deployment history. */
  deployments: DeploymentRepository;
  /** Each function's own uid, kept after the function is deleted. */
  functionUids: FunctionUidRepository;
  /** The keys API requests are signed with. */
  apiKeys: ApiKeyRepository;
  /** The HTTP endpoints of functions. */
  functionUrls: FunctionUrlRepository;
  /** When each function's schedules were first seen and last fired. */
  scheduleFires: ScheduleFireRepository;
  /** Messages waiting for the MQTT broker. */
  mqttSpool: MqttSpool;
  /** Layer versions. */
  layers: LayerRepository;
  /** Provisioned concurrency of published versions and aliases. */
  provisionedConcurrency: ProvisionedConcurrencyRepository;
  /** Closes the database. */
  close(): void;
}

/** Opens the store at `path` (a SQLite file), migrating it when needed. */
export function openStore(path: string): Store {
  const db = openDatabase(path);
  return {
    db,
    code: new CodeBlobs(db),
    functions: new FunctionRepository(db),
    aliases: new AliasRepository(db),
    events: new EventQueue(db),
    eventInvokeConfigs: new EventInvokeConfigs(db),
    deployments: new DeploymentRepository(db),
    functionUids: new FunctionUidRepository(db),
    apiKeys: new ApiKeyRepository(db),
    functionUrls: new FunctionUrlRepository(db),
    scheduleFires: new ScheduleFireRepository(db),
    mqttSpool: new MqttSpool(db),
    layers: new LayerRepository(db),
    provisionedConcurrency: new ProvisionedConcurrencyRepository(db),
    close: () => db.close(),
  };
}
