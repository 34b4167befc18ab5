/** @module The agent's event lines: one per thing that happened, at a level, with fields in JSON; repeats limited. */
import type { AgentLogFormat, AgentLogOutputs } from "./agent-log.ts";

/** The levels of the agent's own lines. */
export type AgentLogLevel = "debug" | "info" | "warn" | "error";

/** A line's structured fields (JSON mode only): scalars, or one level of named strings (a deployment's functions). */
export type AgentLineFields = Record<string, string | number | boolean | null | Record<string, string>>;

/** Options of {@linkcode AgentLines}. */
export interface AgentLinesOptions extends AgentLogOutputs {
  /** How long a limited line's key stays quiet after it was written, in ms. @default 1000 */
  windowMs?: number;
}

interface Window {
  level: AgentLogLevel;
  event: string;
  keyFields: AgentLineFields;
  suppressed: number;
}

/**
 * Writes the agent's event lines: `text` writes the message as is, `json` writes
 * `{"time","level","message","event",...fields}`. Debug and info lines go to stdout, warn and error to stderr.
 * {@linkcode AgentLines.limited} bounds a storm (of throttles, say): one line per key and window, then one line
 * saying how many more there were.
 */
export class AgentLines {
  readonly #format: AgentLogFormat;
  readonly #stdout: { write(text: string): unknown };
  readonly #stderr: { write(text: string): unknown };
  readonly #windowMs: number;
  readonly #windows = new Map<string, Window>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(format: AgentLogFormat, options: AgentLinesOptions = {}) {
    this.#format = format;
    this.#stdout = options.stdout ?? process.stdout;
    this.#stderr = options.stderr ?? process.stderr;
    this.#windowMs = options.windowMs ?? 1000;
  }

  /** Writes one line about `event` (a dotted name such as `worker.stop`). */
  write(level: AgentLogLevel, event: string, message: string, fields: AgentLineFields = {}): void {
    const output = level === "warn" || level === "error" ? this.#stderr : this.#stdout;
    if (this.#format === "text") {
      output.write(`lambdalet: ${message}\n`);
      return;
    }
    const line = { time: new Date().toISOString(), level, message, event, ...fields };
    output.write(`${JSON.stringify(line)}\n`);
  }

  /**
   * Writes like {@linkcode AgentLines.write}, at most once per window for the same `event` and `keyFields` (such as
   * the function and the reason); the lines past that are counted, and a line at the window's end tells how many.
   */
  limited(
    level: AgentLogLevel,
    event: string,
    message: string,
    fields: AgentLineFields,
    keyFields: AgentLineFields,
  ): void {
    const key = JSON.stringify([event, keyFields]);
    const open = this.#windows.get(key);
    if (open) {
      open.suppressed++;
      return;
    }
    this.write(level, event, message, fields);
    this.#open(key, { level, event, keyFields, suppressed: 0 });
  }

  /** Writes the counts of the lines held back so far, and forgets every window (at the agent's stop). */
  flush(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const window of this.#windows.values()) this.#summarize(window);
    this.#windows.clear();
  }

  #open(key: string, window: Window): void {
    this.#windows.set(key, window);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#windows.delete(key);
      if (window.suppressed === 0) return;
      this.#summarize(window);
      // the storm goes on: keep the key quiet for another window
      this.#open(key, { ...window, suppressed: 0 });
    }, this.#windowMs);
    timer.unref?.();
    this.#timers.add(timer);
  }

  #summarize(window: Window): void {
    if (window.suppressed === 0) return;
    const about = Object.values(window.keyFields).join(", ");
    const seconds = this.#windowMs / 1000;
    this.write(
      window.level,
      window.event,
      `${window.suppressed} more ${window.event} line(s) (${about}) within ${seconds} s were not written`,
      { ...window.keyFields, suppressed: window.suppressed },
    );
  }
}
