/** @module The agent's activity in its own log: deployments, workers' starts and stops, throttles, retries. */
import type {
  DispatcherObserver,
  EventEnd,
  EventRetry,
  EventRetryReason,
  EventSentTo,
} from "../events/mod.ts";
import type { AgentLines } from "../logs/mod.ts";
import type {
  FunctionTarget,
  SchedulerObserver,
  ThrottleReason,
  WorkerStop,
  WorkerStopReason,
} from "../scheduler/mod.ts";
import type { DeploymentRecord, QueuedEvent } from "../store/mod.ts";

/** Stops the agent decided on; the others (a crash, memory, a deadline) are warnings. */
const ORDERLY_STOPS: ReadonlySet<WorkerStopReason> = new Set([
  "idle-timeout",
  "evicted",
  "retired",
  "agent-stopping",
]);

function lifecycleOf(target: FunctionTarget): "pinned" | "on-demand" {
  return target.config.edge.pinned ? "pinned" : "on-demand";
}

function nameOf(target: FunctionTarget): string {
  return `${target.config.functionName}:${target.version}`;
}

/**
 * Turns what the scheduler, the Event dispatcher and deployments tell into one line each in the agent's log, with
 * structured fields in JSON mode. What can come in storms (workers, throttles, retries, dead letters) goes through
 * {@linkcode AgentLines.limited}, keyed by function and reason; deployments are always written.
 */
export class ActivityLog {
  /** The scheduler's observer (compose it with the metrics' one). */
  readonly scheduler: SchedulerObserver;
  /** The Event dispatcher's observer. */
  readonly events: DispatcherObserver;
  readonly #lines: AgentLines;

  constructor(lines: AgentLines) {
    this.#lines = lines;
    this.scheduler = {
      invoked: () => {},
      ran: () => {},
      workerStarting: () => {},
      workerSpawned: () => {},
      workerReady: (target, initDurationMs) => this.#workerReady(target, initDurationMs),
      workerStopped: (target, stop) => this.#workerStopped(target, stop),
      throttled: (target, reason) => this.#throttled(target, reason),
      pinnedRestarted: (target) => this.#pinnedRestarted(target),
    };
    this.events = {
      retried: (event, reason, next) => this.#retried(event, reason, next),
      finished: (event, end, sentTo) => this.#finished(event, end, sentTo),
    };
  }

  /** Writes the line of a deployment that ended: info when it completed, error otherwise. */
  deployment(record: DeploymentRecord): void {
    const statuses = Object.entries(record.functionStatus).map(([name, status]) => `${name}: ${status}`);
    const failed = record.status !== "COMPLETED";
    this.#lines.write(
      failed ? "error" : "info",
      "deployment",
      `deployment ${record.id} ${record.status} (${record.policy})${
        statuses.length ? `: ${statuses.join(", ")}` : ""
      }${record.error ? `; error: ${record.error}` : ""}`,
      {
        deploymentId: record.id,
        status: record.status,
        policy: record.policy,
        functions: record.functionStatus,
        error: record.error,
      },
    );
  }

  /** Writes what limited lines held back (at the agent's stop). */
  flush(): void {
    this.#lines.flush();
  }

  #workerReady(target: FunctionTarget, initDurationMs: number): void {
    const lifecycle = lifecycleOf(target);
    const coldStartMs = Math.round(initDurationMs);
    this.#lines.limited(
      "info",
      "worker.start",
      `worker started: ${nameOf(target)} (${lifecycle}, cold start ${coldStartMs} ms)`,
      { function: target.config.functionName, version: target.version, lifecycle, coldStartMs },
      { function: target.config.functionName, version: target.version },
    );
  }

  #workerStopped(target: FunctionTarget, stop: WorkerStop): void {
    const lifecycle = lifecycleOf(target);
    this.#lines.limited(
      ORDERLY_STOPS.has(stop.reason) ? "info" : "warn",
      "worker.stop",
      `worker stopped: ${nameOf(target)} (${lifecycle}): ${stop.reason}, ${stop.exit}`,
      {
        function: target.config.functionName,
        version: target.version,
        lifecycle,
        reason: stop.reason,
        exit: stop.exit,
      },
      { function: target.config.functionName, reason: stop.reason },
    );
  }

  #throttled(target: FunctionTarget, reason: ThrottleReason): void {
    this.#lines.limited(
      "warn",
      "throttle",
      `throttled: ${nameOf(target)}: ${reason}`,
      { function: target.config.functionName, version: target.version, reason },
      { function: target.config.functionName, reason },
    );
  }

  #pinnedRestarted(target: FunctionTarget): void {
    this.#lines.limited(
      "warn",
      "worker.restart",
      `pinned worker restarting: ${nameOf(target)}`,
      { function: target.config.functionName, version: target.version },
      { function: target.config.functionName },
    );
  }

  #retried(event: QueuedEvent, reason: EventRetryReason, next: EventRetry): void {
    this.#lines.limited(
      "warn",
      "event.retry",
      `event ${event.id} of ${event.functionName}: ${reason}, attempt ${next.attempt} in ${next.delayMs} ms`,
      {
        function: event.functionName,
        requestId: event.id,
        attempt: next.attempt,
        delayMs: next.delayMs,
        reason,
      },
      { function: event.functionName, reason },
    );
  }

  #finished(event: QueuedEvent, end: EventEnd, sentTo: EventSentTo): void {
    if (sentTo !== "dead-letters") return;
    this.#lines.limited(
      "warn",
      "event.dead-letter",
      `event ${event.id} of ${event.functionName} sent to the dead letters: ${end}`,
      { function: event.functionName, requestId: event.id, end },
      { function: event.functionName, end },
    );
  }
}
