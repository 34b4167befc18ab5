/** @module The log files of every function under `<data-dir>/logs`: appends, size-based rotation, both caps. */
import { appendFile, mkdir, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

/** The caps of the stored logs. */
export interface LogCaps {
  /** Bytes one function's files may take together. */
  maxBytesPerFunction: number;
  /** Bytes all functions' files may take together. */
  maxTotalBytes: number;
}

/** One file of a function's log: `current.log` or a rotated `<seq>.log`. */
export interface LogFile {
  /** When the file was begun, in the order of all functions' files: the lowest goes first. */
  seq: number;
  /** Its size in bytes. */
  bytes: number;
  /** Whether it is the one being appended to. */
  current: boolean;
}

/** Where a function's log stood at one moment: its files, oldest first, and how far each was written. */
export interface LogSnapshot {
  /** Each file's sequence number (see {@linkcode LogFiles.pathOf}) and the bytes of it written by then. */
  files: { seq: number; bytes: number }[];
}

/** The name of the file being appended to. */
const CURRENT = "current.log";

/** How a rotated file is named: its sequence number, zero-padded so names sort by age. */
function rotatedName(seq: number): string {
  return `${String(seq).padStart(12, "0")}.log`;
}

/**
 * The files of every function's log, with their sizes kept in memory so that the caps hold without listing
 * folders. A function's lines go to `current.log` until it would pass a quarter of the per-function cap; it is
 * then renamed to `<seq>.log` and a new one begun. Before each append, the oldest files go: the function's own
 * while it would pass its cap, then the oldest of any function while all would pass the total (a function's
 * current file too, when no rotated file is left). The caps so hold on disk at every moment. Calls must not
 * overlap: one writer makes them in turn.
 */
export class LogFiles {
  readonly #root: string;
  readonly #caps: LogCaps;
  readonly #segmentBytes: number;
  readonly #functions = new Map<string, LogFile[]>();
  #total = 0;
  #nextSeq = 1;

  private constructor(root: string, caps: LogCaps) {
    this.#root = root;
    this.#caps = caps;
    this.#segmentBytes = Math.max(4096, Math.floor(caps.maxBytesPerFunction / 4));
  }

  /** Opens the logs under `root` (made 0700 if missing), counts what is there and applies the caps to it. */
  static async open(root: string, caps: LogCaps): Promise<LogFiles> {
    const files = new LogFiles(root, caps);
    await mkdir(root, { recursive: true, mode: 0o700 });
    await files.#scan();
    return files;
  }

  /** The size past which a function's current file is rotated; the largest append it takes at once. */
  get segmentBytes(): number {
    return this.#segmentBytes;
  }

  /** Bytes all functions' files take. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Bytes the files of `name` take. */
  bytesOf(name: string): number {
    return (this.#functions.get(name) ?? []).reduce((sum, file) => sum + file.bytes, 0);
  }

  /** The names of the functions that have logs. */
  names(): string[] {
    return [...this.#functions.keys()].sort();
  }

  /** The files of `name`'s log now, oldest first, with their sizes. */
  snapshot(name: string): LogSnapshot {
    return { files: (this.#functions.get(name) ?? []).map((file) => ({ seq: file.seq, bytes: file.bytes })) };
  }

  /** The path a file of `name` has now (a current file may have been rotated since a snapshot named it). */
  pathOf(name: string, seq: number): string {
    const file = (this.#functions.get(name) ?? []).find((one) => one.seq === seq);
    return join(this.#root, name, file?.current ? CURRENT : rotatedName(seq));
  }

  /** Appends `data` (at most {@linkcode segmentBytes} bytes of whole lines) to the log of `name`. */
  async append(name: string, data: Uint8Array): Promise<void> {
    const bytes = data.byteLength;
    let files = this.#functions.get(name);
    if (!files) {
      await mkdir(join(this.#root, name), { recursive: true, mode: 0o700 });
      files = [];
      this.#functions.set(name, files);
    }
    const last = files.at(-1);
    if (last?.current && last.bytes > 0 && last.bytes + bytes > this.#segmentBytes) {
      await rename(join(this.#root, name, CURRENT), join(this.#root, name, rotatedName(last.seq)));
      last.current = false;
    }
    while (this.bytesOf(name) + bytes > this.#caps.maxBytesPerFunction && files.length > 0) {
      await this.#dropOldest(name);
    }
    while (this.#total + bytes > this.#caps.maxTotalBytes) {
      const oldest = this.#oldestFunction();
      if (oldest === null) break;
      await this.#dropOldest(oldest);
    }
    files = this.#functions.get(name) ?? [];
    this.#functions.set(name, files);
    let current = files.at(-1);
    if (!current?.current) {
      current = { seq: this.#nextSeq++, bytes: 0, current: true };
      files.push(current);
    }
    await appendFile(join(this.#root, name, CURRENT), data, { mode: 0o600 });
    current.bytes += bytes;
    this.#total += bytes;
  }

  /** The function whose oldest file is the oldest of all, or null when there are no files. */
  #oldestFunction(): string | null {
    let found: string | null = null;
    let seq = Infinity;
    for (const [name, files] of this.#functions) {
      const first = files[0];
      if (first && first.seq < seq) {
        seq = first.seq;
        found = name;
      }
    }
    return found;
  }

  /** Deletes the oldest file of `name` (its current one, when it has no other). */
  async #dropOldest(name: string): Promise<void> {
    const files = this.#functions.get(name);
    const file = files?.shift();
    if (!files || !file) return;
    await unlink(join(this.#root, name, file.current ? CURRENT : rotatedName(file.seq))).catch(() => {});
    this.#total -= file.bytes;
    if (files.length === 0) this.#functions.delete(name);
  }

  /** Reads what a previous run left: each function's rotated files by number, then its current file. */
  async #scan(): Promise<void> {
    const names = await readdir(this.#root).catch(() => [] as string[]);
    const found: { name: string; files: LogFile[] }[] = [];
    for (const name of names) {
      const entries = await readdir(join(this.#root, name)).catch(() => [] as string[]);
      const files: LogFile[] = [];
      let hasCurrent = false;
      for (const entry of entries) {
        const match = /^(\d{12})\.log$/.exec(entry);
        if (!match && entry !== CURRENT) continue;
        const size = (await stat(join(this.#root, name, entry)).catch(() => null))?.size ?? 0;
        if (match) {
          const seq = Number(match[1]);
          files.push({ seq, bytes: size, current: false });
          this.#nextSeq = Math.max(this.#nextSeq, seq + 1);
        } else hasCurrent = size > 0 || hasCurrent;
      }
      files.sort((a, b) => a.seq - b.seq);
      if (hasCurrent) {
        const size = (await stat(join(this.#root, name, CURRENT))).size;
        files.push({ seq: -1, bytes: size, current: true });
      }
      if (files.length) found.push({ name, files });
    }
    for (const { name, files } of found) {
      for (const file of files) {
        if (file.seq === -1) file.seq = this.#nextSeq++;
        this.#total += file.bytes;
      }
      this.#functions.set(name, files);
    }
    // caps lowered since the last run
    for (const name of this.names()) {
      while (this.bytesOf(name) > this.#caps.maxBytesPerFunction) await this.#dropOldest(name);
    }
    while (this.#total > this.#caps.maxTotalBytes) {
      const oldest = this.#oldestFunction();
      if (oldest === null) break;
      await this.#dropOldest(oldest);
    }
  }
}
