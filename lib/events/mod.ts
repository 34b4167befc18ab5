/** @module Asynchronous (Event) invocations: the durable queue's dispatcher, retries and destinations. */
export { destinationRecord, type RecordCondition } from "./destination-record.ts";
export { type DispatcherDeps, type DispatcherOptions, EventDispatcher } from "./dispatcher.ts";
export type { DispatcherObserver, EventEnd, EventRetryReason, EventSentTo } from "./observer.ts";
