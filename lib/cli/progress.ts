/** @module A progress line for long work: rewritten in place on a terminal's stderr, and nothing when it is piped. */

/** Where the line goes: a terminal says so with `isTTY` (and may tell its width). */
export interface ProgressStream {
  /** True on a terminal. */
  isTTY?: boolean;
  /** The terminal's width in characters, when known. */
  columns?: number;
  /** Writes text. */
  write(text: string): unknown;
}

/** Options of {@linkcode ProgressLine}. */
export interface ProgressOptions {
  /** Where to write. @default process.stderr */
  stream?: ProgressStream;
  /** Shortest time between two rewrites, in ms (a forced update ignores it). @default 100 */
  minIntervalMs?: number;
}

/** Erases the cursor's line and returns to its start (`\r`, then ANSI "erase line"). */
const CLEAR_LINE = "\r\x1b[2K";

/**
 * One line of progress on stderr. On a terminal {@linkcode ProgressLine.update} rewrites it with `\r` (at most
 * every `minIntervalMs`), {@linkcode ProgressLine.note} prints a lasting line above it, and
 * {@linkcode ProgressLine.done} ends it; when stderr is not a terminal every method does nothing, so piped output
 * has nothing extra.
 */
export class ProgressLine {
  /** Whether anything is written: the stream is a terminal. */
  readonly active: boolean;
  readonly #stream: ProgressStream;
  readonly #minIntervalMs: number;
  #current = "";
  #lastWrite = -Infinity;

  constructor(options: ProgressOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#minIntervalMs = options.minIntervalMs ?? 100;
    this.active = this.#stream.isTTY === true;
  }

  /** Shows `text` as the line now, unless the last rewrite was under `minIntervalMs` ago (`force` skips that). */
  update(text: string, force = false): void {
    if (!this.active) return;
    this.#current = text;
    const now = performance.now();
    if (!force && now - this.#lastWrite < this.#minIntervalMs) return;
    this.#lastWrite = now;
    this.#stream.write(`${CLEAR_LINE}${this.#fit(text)}`);
  }

  /** Prints `text` as a line of its own above the progress line, which is drawn again below it. */
  note(text: string): void {
    if (!this.active) return;
    this.#stream.write(`${CLEAR_LINE}${text}\n${this.#current ? this.#fit(this.#current) : ""}`);
  }

  /** Ends the line: leaves `text` on it, or erases it when there is none. */
  done(text?: string): void {
    if (!this.active) return;
    this.#stream.write(text === undefined ? CLEAR_LINE : `${CLEAR_LINE}${text}\n`);
    this.#current = "";
  }

  /** `text` cut to the terminal's width, so that `\r` returns to its start rather than to a wrapped line's. */
  #fit(text: string): string {
    const width = this.#stream.columns;
    return width && text.length >= width ? `${text.slice(0, width - 2)}…` : text;
  }
}

/** A byte count as people read it: `512 B`, `3.4 KB`, `12.0 MB` (powers of 1024). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `label: 3.2 MB / 8.0 MB (40%)`. */
export function byteProgress(label: string, done: number, total: number): string {
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  return `${label}: ${formatBytes(done)} / ${formatBytes(total)} (${percent}%)`;
}

/** How long since `startedMs` (a `performance.now()`), in seconds with one decimal: `12.3 s`. */
export function elapsed(startedMs: number): string {
  return `${((performance.now() - startedMs) / 1000).toFixed(1)} s`;
}
