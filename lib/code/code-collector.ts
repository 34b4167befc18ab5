/** @module Collects code nothing uses any more: the zip's row and the extracted folder, crash-safely. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { CodeBlobs } from "../store/mod.ts";
import type { CodeHolds } from "./code-holds.ts";
import { deleteFolder, DISCARD_MARK, discardFolder } from "./folder-removal.ts";
import { layerTreeKey } from "./layer-tree.ts";

/** What one sweep removed. */
export interface CollectSummary {
  /** Zips deleted from the database. */
  rows: number;
  /** Extracted folders deleted (including those a crash left half removed). */
  folders: number;
}

/** Options of {@linkcode CodeCollector}. */
export interface CodeCollectorOptions {
  /** Milliseconds between sweeps of the whole store, behind the sweeps changes ask for. @default 3_600_000 */
  sweepIntervalMs?: number | undefined;
  /** Called when a folder leaves its name, so that caches of present folders forget it. @default nothing */
  onDiscard?(sha256: string): void;
  /** The folder of merged layer trees (`<root>/layer-trees`), swept the same way by their keys. @default none */
  treesRoot?: string | undefined;
}

const SHA256_NAME = /^[0-9a-f]{64}$/;

/**
 * Deletes the code that no function version, returnable deployment state or hold (a running worker, an upload not
 * yet saved) uses: its row in the database and its folder under `root`. A sweep decides and does the database
 * part and the renames in one synchronous step (nothing can take a reference in between), then deletes the
 * renamed folders in the background.
 */
export class CodeCollector {
  readonly #root: string;
  readonly #blobs: CodeBlobs;
  readonly #holds: CodeHolds;
  readonly #onDiscard: (sha256: string) => void;
  readonly #treesRoot: string | undefined;
  readonly #deleting = new Set<string>();
  readonly #timer: ReturnType<typeof setInterval>;
  #soon: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(root: string, blobs: CodeBlobs, holds: CodeHolds, options: CodeCollectorOptions = {}) {
    this.#root = root;
    this.#blobs = blobs;
    this.#holds = holds;
    this.#onDiscard = options.onDiscard ?? (() => {});
    this.#treesRoot = options.treesRoot;
    this.#timer = setInterval(() => this.collectSoon(), options.sweepIntervalMs ?? 3_600_000);
    this.#timer.unref?.();
  }

  /** Asks for a sweep: changes that may drop a reference call this; calls in the same tick share one sweep. */
  collectSoon(): void {
    if (this.#closed || this.#soon) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      this.collect().catch((error: unknown) => {
        console.warn(
          `lambdalet: collecting unused code failed: ${error instanceof Error ? error.message : error}`,
        );
      });
    }, 0);
  }

  /** Sweeps now; resolves once the folders it removes are deleted. */
  async collect(): Promise<CollectSummary> {
    if (this.#closed) return { rows: 0, folders: 0 };
    const names = readdirSync(this.#root);
    const referenced = this.#blobs.referenced();
    const unused = (sha256: string) => !referenced.has(sha256) && !this.#holds.isHeld(sha256);
    const rows = this.#blobs.delete(this.#blobs.list().filter(unused));
    const doomed = names.filter((name) => name.includes(DISCARD_MARK)).map((name) => join(this.#root, name));
    for (const sha256 of names.filter((name) => SHA256_NAME.test(name) && unused(name))) {
      const discarded = discardFolder(join(this.#root, sha256));
      this.#onDiscard(sha256);
      if (discarded) doomed.push(discarded);
    }
    doomed.push(...this.#discardTrees());
    const deleting = doomed.filter((path) => !this.#deleting.has(path));
    await Promise.all(deleting.map((path) => this.#delete(path)));
    return { rows, folders: deleting.length };
  }

  /** Stops sweeping (before the database closes). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#soon);
  }

  /**
   * Renames the merged layer trees no stored list of layers names and nothing holds (by key), and returns them with
   * those a crash left half deleted.
   */
  #discardTrees(): string[] {
    const root = this.#treesRoot;
    if (root === undefined || !existsSync(root)) return [];
    const names = readdirSync(root);
    const wanted = new Set(this.#blobs.referencedLayerLists().map((list) => layerTreeKey(list)));
    const doomed = names.filter((name) => name.includes(DISCARD_MARK)).map((name) => join(root, name));
    for (const key of names.filter((name) => SHA256_NAME.test(name))) {
      if (wanted.has(key) || this.#holds.isHeld(key)) continue;
      const discarded = discardFolder(join(root, key));
      if (discarded) doomed.push(discarded);
    }
    return doomed;
  }

  async #delete(path: string): Promise<void> {
    this.#deleting.add(path);
    try {
      await deleteFolder(path);
    } catch (error) {
      // another sweep (the agent's start-up one) may have deleted it first
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    } finally {
      this.#deleting.delete(path);
    }
  }
}
