/** @module Keeps the last lines a worker wrote during the current invocation: as many as its log tail can show. */
import { LOG_TAIL_BYTES } from "./invocation-log.ts";

/** Receives a worker's line, the stream it came from, and the invocation running then (null if none). */
export type LineForward = (line: string, stream: "stdout" | "stderr", requestId: string | null) => void;

/**
 * Collects the lines a worker writes, forwarding each, and keeps the most recent lines of the current
 * invocation while {@linkcode LineCapture.keep} is set: only as many as reach {@linkcode LOG_TAIL_BYTES} (a
 * longer line is kept by its last characters), so the log's tail reads the same as if every line were kept.
 */
export class LineCapture {
  /** Whether lines are kept for the current invocation's log (during starts, always). */
  keep = true;
  /** The invocation the worker runs now, named with each line forwarded; null between invocations. */
  requestId: string | null = null;
  #lines: string[] = [];
  #bytes: number[] = [];
  #first = 0;
  #total = 0;
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
    this.#forward(line, stream, this.requestId);
    if (!this.keep) return;
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
  };

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
