/** @module The agent's activity log: what the scheduler, the Event dispatcher and deployments tell, as log lines. */
export { ActivityLog } from "./activity-log.ts";
