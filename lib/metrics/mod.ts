/** @module Prometheus metrics of the agent: the scheduler's and dispatcher's observers, and the scrape. */
export { AgentMetrics, type MetricsDeps, type MetricsOptions } from "./agent-metrics.ts";
export { errorTypeLabel, KNOWN_ERROR_TYPES, OTHER_ERROR_TYPE } from "./error-types.ts";
export { eventSource } from "./event-metrics.ts";
