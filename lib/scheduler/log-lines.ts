/** @module Splits a worker's output stream into lines, in bounded memory and linear time. */

/** Lambda's maximum log event size: a longer line is forwarded in pieces of at most this many bytes. */
export const MAX_LINE_BYTES = 256 * 1024;

/** Options of {@linkcode LineSplitter}. */
export interface LineSplitterOptions {
  /** The longest line forwarded whole, in bytes of UTF-8; longer ones are split. @default MAX_LINE_BYTES */
  maxLineBytes?: number;
}

/** Options of {@linkcode forwardLines}. */
export interface ForwardLinesOptions extends LineSplitterOptions {
  /** Output read from all workers between two full garbage collections. @default COLLECT_EVERY_BYTES */
  collectEveryBytes?: number;
}

/**
 * Worker output read between two full garbage collections. A flood turns into short-lived chunks, strings and
 * batches faster than JSC's heuristics collect them (the agent grew by 50-80 MB at 300 MB/s); a collection
 * costs about 10 ms, so there is at most one per 16 MB of output.
 */
export const COLLECT_EVERY_BYTES = 16 * 1024 * 1024;

/** What a line costs besides its bytes, counted as output read: its string and the agent's prefixed copy. */
const LINE_COST_BYTES = 32;

/** Output read since the last collection, from all workers. */
let readSinceCollection = 0;

/** Counts `bytes` of output read, and collects the garbage once `every` bytes were. */
function countRead(bytes: number, every: number): void {
  readSinceCollection += bytes;
  if (readSinceCollection < every) return;
  readSinceCollection = 0;
  Bun.gc(true);
}

const NEWLINE = 0x0a;

/**
 * Where a line cut at `end` may end without splitting a UTF-8 character: `end`, or the start of the character
 * that `end` would cut (invalid sequences are cut anywhere, as the decoder replaces them anyway).
 */
function characterBoundary(bytes: Uint8Array, end: number): number {
  let start = end - 1;
  while (start > 0 && end - start < 4 && (bytes[start]! & 0xc0) === 0x80) start--;
  const lead = bytes[start]!;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start > 0 && start + size > end ? start : end;
}

/**
 * Cuts bytes into lines at LF (a CR before it is kept, as Lambda keeps it). Only the new chunk is searched
 * for newlines, and at most `maxLineBytes` of an unfinished line are held: past that, the line is forwarded
 * in pieces that end on character boundaries.
 */
export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #pending: Uint8Array;
  #length = 0;
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true }); // a BOM is part of the line

  /** Calls `onLine` with each line (without its LF) or piece of a long line. */
  constructor(onLine: (line: string) => void, options: LineSplitterOptions = {}) {
    const max = options.maxLineBytes ?? MAX_LINE_BYTES;
    if (!Number.isInteger(max) || max < 4) {
      throw new RangeError(
        `Cannot split lines as 'maxLineBytes' must be an integer ≥ 4: current value is ${max}`,
      );
    }
    this.#onLine = onLine;
    this.#pending = new Uint8Array(max);
  }

  /** Takes the next bytes of the stream. */
  push(chunk: Uint8Array): void {
    let from = 0;
    while (from < chunk.byteLength) {
      const newline = chunk.indexOf(NEWLINE, from);
      const end = newline === -1 ? chunk.byteLength : newline;
      if (this.#length === 0 && newline !== -1 && end - from <= this.#pending.byteLength) {
        this.#onLine(this.#decoder.decode(chunk.subarray(from, end))); // the common case: no copy
      } else {
        this.#append(chunk, from, end);
        if (newline !== -1) this.#emit(this.#length);
      }
      if (newline === -1) return;
      from = newline + 1;
    }
  }

  /** Ends the stream: forwards the last line if it had no newline. */
  end(): void {
    if (this.#length > 0) this.#emit(this.#length);
  }

  /** Holds `chunk[from, end)`, forwarding a piece each time the held bytes would pass the limit. */
  #append(chunk: Uint8Array, from: number, end: number): void {
    const pending = this.#pending;
    while (from < end) {
      if (this.#length === pending.byteLength) this.#emit(characterBoundary(pending, this.#length));
      const count = Math.min(end - from, pending.byteLength - this.#length);
      pending.set(chunk.subarray(from, from + count), this.#length);
      this.#length += count;
      from += count;
    }
  }

  /** Forwards the first `count` held bytes and keeps the rest (the start of a cut character). */
  #emit(count: number): void {
    const pending = this.#pending;
    this.#onLine(this.#decoder.decode(pending.subarray(0, count)));
    pending.copyWithin(0, count, this.#length);
    this.#length -= count;
  }
}

/** Bytes split between two looks at the clock. */
const SLICE_BYTES = 16 * 1024;

/** Milliseconds spent splitting (and forwarding) a stream's lines after which the event loop gets a turn. */
const TURN_MS = 1;

/** Resolves after the event loop has run once: its timers and I/O (other invocations) included. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Reads `stream` to its end, calling `onLine` for each line (and the unterminated tail). A chunk is read only
 * once `onLine` has returned for the previous one, and after each 1 ms spent on lines the event loop gets a
 * turn: a writer faster than that is held back by its pipe, and the rest of the agent keeps its turns. Once
 * all workers wrote `collectEveryBytes` (each line counting 32 bytes more), the garbage is collected.
 * Resolves at the end.
 */
export async function forwardLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  options: ForwardLinesOptions = {},
): Promise<void> {
  let lines = 0;
  const splitter = new LineSplitter((line) => {
    lines++;
    onLine(line);
  }, options);
  const collectEvery = options.collectEveryBytes ?? COLLECT_EVERY_BYTES;
  try {
    let busyMs = 0;
    for await (const chunk of stream) {
      // a read from a pipe that is never empty resolves at once: without turns, a flood would starve the loop
      // (and 64 KB of 2-byte lines take about 10 ms to forward). Small outputs never wait, so their lines all
      // reach the invocation's log before it is cut.
      for (let from = 0; from < chunk.byteLength; from += SLICE_BYTES) {
        const started = performance.now();
        splitter.push(chunk.subarray(from, from + SLICE_BYTES));
        busyMs += performance.now() - started;
        if (busyMs < TURN_MS) continue;
        await nextTurn();
        busyMs = 0;
      }
      countRead(chunk.byteLength + lines * LINE_COST_BYTES, collectEvery);
      lines = 0;
    }
  } catch {
    // the stream broke because the process died: keep what was read
  }
  splitter.end();
}
