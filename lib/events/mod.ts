/** @module Asynchronous (Event) invocations: the durable queue's dispatcher, retries and destinations. */
export { destinationRecord, type RecordCondition } from "./destination-record.ts";
export { type DispatcherDeps, type DispatcherOptions, EventDispatcher } from "./dispatcher.ts";
export {
  type DispatcherObserver,
  type EventEnd,
  type EventRetry,
  type EventRetryReason,
  type EventSentTo,
  observeAllEvents,
} from "./observer.ts";
