/** @module Keeps the last lines a worker wrote during the current invocation: as many as its log tail can show. */
import { LOG_TAIL_BYTES } from "./invocation-log.ts";

/** Receives a worker's line, the stream it came from, and the invocation running then (null if none). */
export type LineForward = (line: string, stream: "stdout" | "stderr", requestId: string | null) => void;

/**
 * Collects the lines a worker writes, forwarding each, and keeps the most recent lines of the current
 * invocation while {@linkcode LineCapture.keep} is set: only as many as reach {@linkcode LOG_TAIL_BYTES} (a
 * longer line is kept by its last characters), so the log's tail reads the same as if every line were kept.
 *
 * A worker running several invocations at once (`Edge.maxConcurrency`) names them with
 * {@linkcode LineCapture.begin} and {@linkcode LineCapture.end} instead: timing cannot tell whose a line is, so a
 * line goes to the invocation whose request id it carries where the runtime writes one (see
 * {@linkcode requestIdOfLine}), else to none.
 */
export class LineCapture {
  /** Whether lines are kept for the current invocation's log (during starts, always). */
  keep = true;
  /** The invocation the worker runs now, named with each line forwarded; null between invocations. */
  requestId: string | null = null;
  readonly #tail = new TailLines();
  /** The invocations begun and not ended, with the lines kept for each (null: not kept). */
  readonly #running = new Map<string, TailLines | null>();
  #forward: LineForward;
  /** How many lines were taken in all (it only grows): tells whether output is still arriving. */
  received = 0;

  /** Forwards each line to `forward`, with its stream and the current request id. */
  constructor(forward: LineForward) {
    this.#forward = forward;
  }

  /** Takes one line of the worker's output, from `stream`. */
  add = (line: string, stream: "stdout" | "stderr" = "stdout"): void => {
    this.received++;
    if (this.#running.size) {
      const named = requestIdOfLine(line);
      const requestId = named !== null && this.#running.has(named) ? named : null;
      this.#forward(line, stream, requestId);
      if (requestId !== null) this.#running.get(requestId)?.add(line);
      return;
    }
    this.#forward(line, stream, this.requestId);
    if (this.keep) this.#tail.add(line);
  };

  /** The lines kept since the last call, oldest first; starts afresh. */
  take(): string[] {
    return this.#tail.take();
  }

  /** One of several invocations at once begins: the lines naming it are its own, kept when `keep`. */
  begin(requestId: string, keep: boolean): void {
    this.#running.set(requestId, keep ? new TailLines() : null);
  }

  /** Ends what {@linkcode begin} began: the lines kept for `requestId`, oldest first. */
  end(requestId: string): string[] {
    const lines = this.#running.get(requestId)?.take() ?? [];
    this.#running.delete(requestId);
    return lines;
  }
}

/**
 * The request id a line of the worker's output names, where the runtimes write one: the second field of the
 * nodejs and bun bootstraps' tab-separated lines (`time, id, level, message`), the third of the python logging
 * module's (`[level], time, id, message`), or the `requestId` member of a JSON line. Null when there is none.
 */
export function requestIdOfLine(line: string): string | null {
  if (line.startsWith("{")) return JSON_REQUEST_ID.exec(line)?.[1] ?? null;
  const first = line.indexOf("\t");
  if (first < 0) return null;
  const second = line.indexOf("\t", first + 1);
  if (second < 0) return null;
  const field = line.slice(first + 1, second);
  if (REQUEST_ID.test(field)) return field;
  const third = line.indexOf("\t", second + 1);
  const next = third < 0 ? "" : line.slice(second + 1, third);
  return line.startsWith("[") && REQUEST_ID.test(next) ? next : null;
}

const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;
const JSON_REQUEST_ID = /"requestId"\s*:\s*"([A-Za-z0-9-]{1,64})"/;

/** The most recent lines that fill a log's tail of {@linkcode LOG_TAIL_BYTES}. */
class TailLines {
  #lines: string[] = [];
  #bytes: number[] = [];
  #first = 0;
  #total = 0;

  /** Keeps `line`, and lets go of the oldest lines the tail can no longer show. */
  add(line: string): void {
    const kept = line.length > LOG_TAIL_BYTES ? lastCharacters(line, LOG_TAIL_BYTES) : line;
    const bytes = Buffer.byteLength(kept, "utf8") + 1; // and the newline that follows it in the log
    this.#lines.push(kept);
    this.#bytes.push(bytes);
    this.#total += bytes;
    // the oldest line goes once the newer ones fill the tail by themselves: nothing of it could show
    while (this.#total - this.#bytes[this.#first]! >= LOG_TAIL_BYTES) {
      this.#total -= this.#bytes[this.#first]!;
      this.#lines[this.#first++] = ""; // let it go now, not at the next compaction
    }
    if (this.#first > 1024 && this.#first * 2 > this.#lines.length) this.#compact();
  }

  /** The lines kept since the last call, oldest first; starts afresh. */
  take(): string[] {
    const lines = this.#lines.slice(this.#first);
    this.#lines = [];
    this.#bytes = [];
    this.#first = 0;
    this.#total = 0;
    return lines;
  }

  #compact(): void {
    this.#lines = this.#lines.slice(this.#first);
    this.#bytes = this.#bytes.slice(this.#first);
    this.#first = 0;
  }
}

/**
 * A copy of the last `count` UTF-16 units of `line` (at least `count` bytes in UTF-8), without half a
 * surrogate pair. A copy, as a slice would keep the whole line (up to 256 KB) alive.
 */
function lastCharacters(line: string, count: number): string {
  let start = line.length - count;
  const unit = line.charCodeAt(start);
  if (unit >= 0xdc00 && unit <= 0xdfff && start > 0) start--;
  return Buffer.from(line.slice(start), "utf8").toString("utf8");
}

/** Lets output already written by the worker reach its line capture before the log is cut. */
export function settleOutput(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Longest wait for a worker's output backlog (a flood read behind its answer) to reach the capture, in ms. */
const MAX_SETTLE_MS = 250;

/**
 * Settles output until a round brings no new line: one round when the worker wrote nothing late (the usual case);
 * more while a backlog its pipe still held is read, within {@linkcode MAX_SETTLE_MS}.
 */
export async function settleCapture(capture: LineCapture): Promise<void> {
  const until = performance.now() + MAX_SETTLE_MS;
  for (;;) {
    const before = capture.received;
    await settleOutput();
    if (capture.received === before || performance.now() > until) return;
  }
}
