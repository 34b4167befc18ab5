/** @module The log of one invocation, framed by START/END/REPORT lines as Lambda writes them. */

/** What happened during one invocation, for its REPORT line. */
export interface InvocationReport {
  /** The request id. */
  requestId: string;
  /** The version that ran. */
  version: string;
  /**
   * Lines the function wrote during the invocation: all, or the last ones, as many as {@linkcode logTail}
   * shows.
   */
  lines: string[];
  /** Milliseconds from delivery to outcome. */
  durationMs: number;
  /** The function's memory setting, in MB. */
  memorySizeMb: number;
  /** Peak memory of the worker, in MB, when known. */
  maxMemoryUsedMb: number | null;
  /** Milliseconds the worker took to start, on the invocation that started it. */
  initDurationMs?: number;
}

/** Lambda's limit on the log tail returned with `X-Amz-Log-Type: Tail`. */
export const LOG_TAIL_BYTES = 4096;

/** The invocation's log as Lambda would write it to CloudWatch. */
export function formatInvocationLog(report: InvocationReport): string {
  const fields = [
    `REPORT RequestId: ${report.requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(report.durationMs))} ms`,
    `Memory Size: ${report.memorySizeMb} MB`,
    `Max Memory Used: ${report.maxMemoryUsedMb ?? 0} MB`,
  ];
  if (report.initDurationMs !== undefined) {
    fields.push(`Init Duration: ${report.initDurationMs.toFixed(2)} ms`);
  }
  return [
    `START RequestId: ${report.requestId} Version: ${report.version}`,
    ...report.lines,
    `END RequestId: ${report.requestId}`,
    `${fields.join("\t")}\t`,
  ].join("\n") + "\n";
}

/** The last 4 KB of a log, base64, as `X-Amz-Log-Result` carries it. */
export function logTail(log: string): string {
  const bytes = new TextEncoder().encode(log);
  return Buffer.from(bytes.subarray(Math.max(0, bytes.byteLength - LOG_TAIL_BYTES))).toString("base64");
}
