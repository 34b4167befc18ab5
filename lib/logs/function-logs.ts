/** @module Every function's stored log: lines taken without blocking, written in turn, read back and followed. */
import { join } from "node:path";
import { type LogCaps, LogFiles } from "./log-files.ts";
import { type LogFilter, LogFollower, matches } from "./log-follower.ts";
import {
  droppedNotice,
  formatEntry,
  isoNow,
  type LogSettings,
  type WorkerLogEntry,
} from "./lambda-format.ts";
import { type LogRecord, parseRecord, serializeRecord } from "./log-record.ts";

/** How long a few lines wait for more before they are appended, in ms. */
const BATCH_DELAY_MS = 20;
/** Options of {@linkcode FunctionLogs.open}. */
export interface FunctionLogsOptions extends LogCaps {
  /** Bytes of lines waiting for the disk, all functions together; past it lines are dropped and counted. @default 256 KiB */
  maxPendingBytes?: number;
  /**
   * Lines taken (in UTF-16 units, escaped) between two full garbage collections: a flood makes large short-lived
   * strings faster than the collector's heuristics free them (every 2 MiB keeps a flood within the agent's bound). @default 2 MiB
   */
  collectEveryBytes?: number;
  /** Bytes of lines waiting for one follower; past it the follower is cut off. @default 1 MiB */
  maxFollowerBytes?: number;
  /** Followers at once, all functions together. @default 32 */
  maxFollowers?: number;
}

/** Thrown by {@linkcode FunctionLogs.follow} when as many readers follow logs as allowed. */
export class TooManyFollowersError extends Error {
  constructor(max: number) {
    super(`Cannot follow the log as ${max} readers already follow logs on this agent: try again later`);
    this.name = "TooManyFollowersError";
  }
}

/** A function name as a folder name: Lambda's characters only, so that no name climbs out of the logs folder. */
const SAFE_NAME = /^[A-Za-z0-9_-]{1,140}$/;

interface Pending {
  /** Serialized lines and barriers, in the order taken. */
  items: (string | (() => void))[];
  bytes: number;
  dropped: number;
  settings: LogSettings;
}

/**
 * The logs of all functions under `<data-dir>/logs`. {@linkcode write} never waits: a line is queued (and
 * handed to followers at once) while the queue holds less than `maxPendingBytes`, else dropped and counted;
 * one writer appends the queued lines function by function, and after a drop it writes a notice of how many
 * lines went. A slow disk so costs bounded memory and no turn of the event loop.
 */
export class FunctionLogs {
  readonly #files: LogFiles;
  readonly #maxPending: number;
  readonly #maxFollowerBytes: number;
  readonly #maxFollowers: number;
  readonly #pending = new Map<string, Pending>();
  readonly #followers = new Map<string, Set<LogFollower>>();
  #followerCount = 0;
  #pendingBytes = 0;
  #writing: Promise<void> | null = null;
  #writeErrors = 0;
  readonly #collectEvery: number;
  /** Where lines are copied before an append: at most a segment, at most 256 KiB. */
  readonly #scratch: Buffer;
  #takenSinceCollection = 0;

  private constructor(files: LogFiles, options: FunctionLogsOptions) {
    this.#files = files;
    this.#maxPending = options.maxPendingBytes ?? 256 * 1024;
    this.#collectEvery = options.collectEveryBytes ?? 2 * 1024 * 1024;
    this.#scratch = Buffer.allocUnsafe(Math.min(256 * 1024, files.segmentBytes));
    this.#maxFollowerBytes = options.maxFollowerBytes ?? 1024 * 1024;
    this.#maxFollowers = options.maxFollowers ?? 32;
  }

  /** Opens the logs under `<dataDir>/logs`, applying the caps to what a previous run left. */
  static async open(dataDir: string, options: FunctionLogsOptions): Promise<FunctionLogs> {
    if (options.maxTotalBytes < options.maxBytesPerFunction) {
      throw new RangeError(
        `Cannot store logs as 'maxTotalBytes' must be ≥ 'maxBytesPerFunction' (${options.maxBytesPerFunction}): current value is ${options.maxTotalBytes}`,
      );
    }
    return new FunctionLogs(await LogFiles.open(join(dataDir, "logs"), options), options);
  }

  /** Bytes all stored logs take on disk. */
  get totalBytes(): number {
    return this.#files.totalBytes;
  }

  /** Bytes the stored log of `name` takes on disk. */
  bytesOf(name: string): number {
    return this.#files.bytesOf(name);
  }

  /** Appends failures since start (a full or failing disk): those lines are lost. */
  get writeErrors(): number {
    return this.#writeErrors;
  }

  /** Stores what a worker of `name` wrote or went through, in the function's format and levels. */
  record(name: string, settings: LogSettings, entry: WorkerLogEntry): void {
    // a full queue drops the line before anything is made of it: a flood then costs no garbage
    if (
      entry.kind === "line" && this.#pendingBytes > 0 &&
      this.#pendingBytes + entry.message.length > this.#maxPending
    ) {
      this.#dropped(name, settings);
      return;
    }
    const record = formatEntry(settings, entry, isoNow());
    // only what functions write can be a flood: START, END and REPORT never call for a full collection
    if (record) this.write(name, settings, record, entry.kind === "line");
  }

  /**
   * Stores one line of `name`'s log soon, or drops (and counts) it while too much waits for the disk. `flood`: the
   * line is a function's own, and counts toward the next full garbage collection.
   */
  write(name: string, settings: LogSettings, record: LogRecord, flood = true): void {
    if (!SAFE_NAME.test(name)) return;
    let pending = this.#pending.get(name);
    if (!pending) {
      pending = { items: [], bytes: 0, dropped: 0, settings };
      this.#pending.set(name, pending);
    }
    pending.settings = settings;
    const text = serializeRecord(record, this.#files.segmentBytes);
    if (flood) this.#takenSinceCollection += text.length;
    if (this.#takenSinceCollection >= this.#collectEvery) {
      this.#takenSinceCollection = 0;
      Bun.gc(true);
    }
    // one line always fits an empty queue, however long (up to a segment)
    if (this.#pendingBytes > 0 && this.#pendingBytes + text.length > this.#maxPending) {
      pending.dropped++;
      return;
    }
    for (const follower of this.#followers.get(name) ?? []) follower.push(record);
    pending.items.push(text);
    pending.bytes += text.length;
    this.#pendingBytes += text.length;
    this.#kick();
  }

  /** Counts a line of `name` dropped for lack of room in the queue. */
  #dropped(name: string, settings: LogSettings): void {
    const pending = this.#pending.get(name);
    if (pending) pending.dropped++;
    else this.#pending.set(name, { items: [], bytes: 0, dropped: 1, settings });
  }

  /** Resolves once every line taken so far is on disk (or lost to a write error). */
  async flushed(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /**
   * The stored lines of `name` passing `filter`, oldest first; with `follow`, then every new one as it is written
   * until `signal` aborts or the reader lags by more than `maxFollowerBytes` (the last item is then a notice).
   * Throws {@linkcode TooManyFollowersError} when `follow` would pass `maxFollowers`.
   */
  tail(name: string, filter: LogFilter, follow: { signal: AbortSignal } | null): AsyncGenerator<LogRecord[]> {
    if (follow && this.#followerCount >= this.#maxFollowers) {
      throw new TooManyFollowersError(this.#maxFollowers);
    }
    const follower = follow ? this.#follow(name, filter) : null;
    follow?.signal.addEventListener("abort", () => follower?.close(), { once: true });
    return this.#tail(name, filter, follower);
  }

  async *#tail(name: string, filter: LogFilter, follower: LogFollower | null): AsyncGenerator<LogRecord[]> {
    try {
      // the lines taken before the follower began reach the disk first; later ones are the follower's
      const snapshot = await this.#barrier(name);
      for (const file of snapshot.files) {
        const text = await Bun.file(this.#files.pathOf(name, file.seq)).slice(0, file.bytes).text().catch(
          () => "",
        );
        const records: LogRecord[] = [];
        for (const line of text.split("\n")) {
          const record = parseRecord(line);
          if (record && matches(record, filter)) records.push(record);
        }
        if (records.length) yield records;
      }
      if (!follower) return;
      for (;;) {
        const records = await follower.next();
        if (records.length === 0) break;
        yield records;
      }
      if (follower.overflowed) {
        const message = "lambdalet: this reader was cut off: it read more slowly than the function wrote";
        yield [{ time: new Date().toISOString(), requestId: null, stream: "platform", message }];
      }
    } finally {
      follower?.close();
    }
  }

  #follow(name: string, filter: LogFilter): LogFollower {
    let set = this.#followers.get(name);
    if (!set) {
      set = new Set();
      this.#followers.set(name, set);
    }
    this.#followerCount++;
    const follower: LogFollower = new LogFollower(filter, this.#maxFollowerBytes, () => {
      this.#followerCount--;
      set.delete(follower);
      if (set.size === 0 && this.#followers.get(name) === set) this.#followers.delete(name);
    });
    set.add(follower);
    return follower;
  }

  /** Resolves with the files of `name` once the lines taken before this call are on disk. */
  #barrier(name: string): Promise<{ files: { seq: number; bytes: number }[] }> {
    const pending = this.#pending.get(name);
    // no entry: every line of it is on disk; an entry with no items may still have a batch in flight
    if (!pending || (pending.items.length === 0 && !this.#writing)) {
      return Promise.resolve(this.#files.snapshot(name));
    }
    return new Promise((resolve) => {
      pending.items.push(() => resolve(this.#files.snapshot(name)));
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#writing) return;
    this.#writing = this.#drain().finally(() => {
      this.#writing = null;
    });
  }

  /**
   * Writes the queued lines, all of one function then the next, until none wait. Lines are copied into one
   * reused buffer and appended from it: a flood then makes no large strings or buffers beyond the lines themselves.
   */
  async #drain(): Promise<void> {
    // a little output waits a moment so that many invocations' lines make one append (each append is a trip to the
    // thread pool: per invocation it cost warm invokes a fifth of their throughput); a lot goes at once
    if (this.#pendingBytes < this.#maxPending / 4) await Bun.sleep(BATCH_DELAY_MS);
    else await Promise.resolve();
    while (this.#pending.size > 0) {
      for (const [name, pending] of this.#pending) {
        const items = pending.items;
        pending.items = [];
        let used = 0;
        const flush = async () => {
          if (used === 0) return;
          await this.#append(name, this.#scratch.subarray(0, used));
          used = 0;
        };
        for (const item of items) {
          if (typeof item === "function") {
            await flush();
            item();
            continue;
          }
          pending.bytes -= item.length;
          this.#pendingBytes -= item.length;
          const most = item.length * 3;
          if (used + most > this.#scratch.byteLength) await flush();
          if (most > this.#scratch.byteLength) await this.#append(name, Buffer.from(item));
          else used += this.#scratch.write(item, used);
        }
        await flush();
        if (pending.items.length === 0 && pending.dropped > 0) {
          const count = pending.dropped;
          pending.dropped = 0;
          const notice = droppedNotice(
            pending.settings,
            count,
            "the disk was not written fast enough",
            isoNow(),
          );
          await this.#append(name, Buffer.from(serializeRecord(notice)));
        }
        if (pending.items.length === 0 && pending.dropped === 0) this.#pending.delete(name);
      }
    }
  }

  async #append(name: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.#files.append(name, bytes);
    } catch {
      this.#writeErrors++;
    }
  }
}
