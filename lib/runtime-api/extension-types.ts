/** @module What the Extensions API is given and keeps: its options, the function's metadata, each extension's state. */

/** Lambda's limit on extensions per function. */
export const MAX_EXTENSIONS = 10;

/** What register answers about the function. */
export interface ExtensionMetadata {
  functionName: string;
  functionVersion: string;
  handler: string;
  /** Given only to a registration that asks for it (`Lambda-Extension-Accept-Feature: accountId`), as Lambda does. */
  accountId: string;
}

/** Options of {@linkcode ExtensionsApi}. */
export interface ExtensionsOptions {
  /** The function, as register answers it. */
  metadata: ExtensionMetadata;
  /** The names (file names) of the external extensions started with the worker. @default [] */
  externalNames?: readonly string[];
  /** Every external extension has registered: the runtime may start now. @default none */
  onRegistered?(): void;
  /** An extension failed the init phase (`/extension/init/error`): Lambda's error type and message. @default none */
  onInitFailure?(errorType: string, message: string): void;
  /** The `platform.initStart` record's time and fields, delivered to the extensions that subscribe during init. @default none */
  initStart?: { time: Date; record: object };
}

/** Why the worker goes, as the SHUTDOWN event says it. */
export type ShutdownReason = "spindown" | "timeout" | "failure";

/** The events an extension may subscribe to. */
export type EventName = "INVOKE" | "SHUTDOWN";

/** One registered extension, as the Extensions API tracks it. */
export interface ExtensionAgent {
  id: string;
  name: string;
  external: boolean;
  events: Set<EventName>;
  /** Has called `next` since its last event (or since registering): it is idle. */
  ready: boolean;
  /** Events not yet fetched. */
  queue: object[];
  /** A parked `next`. */
  waiting: ((event: object) => void) | null;
  exited: boolean;
  /** The type it reported with `/extension/init/error` or `/extension/exit/error`. */
  errorType: string | null;
}
