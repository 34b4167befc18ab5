/** @module Writes workers' lines to the agent's own output, dropping (and counting) lines while it is blocked. */

/** Where lines go: `process.stdout`, or any stream that says when its buffer is full and when it drained. */
export interface LogOutput {
  /** Queues `text`; false when the stream's buffer is past its high-water mark. */
  write(text: string): boolean;
  /** Calls `listener` once the buffer has drained. */
  once(event: "drain", listener: () => void): unknown;
}

/** Options of {@linkcode LogWriter}. */
export interface LogWriterOptions {
  /** Characters written past the output's high-water mark before lines are dropped. @default 1 MiB */
  maxBacklog?: number;
  /** Characters batched before a write (else one write per turn of the event loop). @default 64 KiB */
  batchSize?: number;
}

/**
 * Writes lines to an output in batches. While the output is not read as fast as workers write (a blocked
 * pipe), at most `maxBacklog` characters wait in it; later lines are dropped until it drains, and then a
 * notice says how many were. A flood of output so costs the agent bounded memory and never blocks its event
 * loop, as `console.log` does on a full pipe.
 */
export class LogWriter {
  readonly #output: LogOutput;
  readonly #maxBacklog: number;
  readonly #batchSize: number;
  #batch: string[] = [];
  #batchLength = 0;
  #flushQueued = false;
  /** Characters written since the output last said its buffer was full, or -1 while it is not. */
  #backlog = -1;
  #dropped = 0;

  /** Writes to `output`. */
  constructor(output: LogOutput, options: LogWriterOptions = {}) {
    this.#output = output;
    this.#maxBacklog = options.maxBacklog ?? 1024 * 1024;
    this.#batchSize = options.batchSize ?? 64 * 1024;
  }

  /** Lines dropped since the output last drained. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Writes `line` and a newline, soon, unless the output is blocked past the backlog. */
  line(line: string): void {
    if (this.#backlog >= this.#maxBacklog) {
      this.#dropped++;
      return;
    }
    this.#batch.push(line, "\n");
    this.#batchLength += line.length + 1;
    if (this.#batchLength >= this.#batchSize) this.#flush();
    else if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushQueued = false;
    if (this.#batchLength === 0) return;
    const text = this.#batch.join("");
    this.#batch = [];
    this.#batchLength = 0;
    this.#write(text);
  }

  #write(text: string): void {
    const full = !this.#output.write(text);
    if (this.#backlog >= 0) this.#backlog += text.length;
    else if (full) {
      this.#backlog = 0;
      this.#output.once("drain", this.#drained);
    }
  }

  #drained = (): void => {
    this.#backlog = -1;
    const dropped = this.#dropped;
    if (dropped === 0) return;
    this.#dropped = 0;
    this.#flush();
    this.#write(
      `lambdalet: ${dropped} line${
        dropped === 1 ? "" : "s"
      } of function output dropped: the agent's output was not read fast enough\n`,
    );
  };
}
