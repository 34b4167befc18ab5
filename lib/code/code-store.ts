/** @module Function code by SHA-256: the zip in the database, extracted once into a read-only folder. */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CodeBlobs } from "../store/mod.ts";
import { CodeCollector, type CollectSummary } from "./code-collector.ts";
import { CodeHolds, type CodeLease } from "./code-holds.ts";
import { folderSize, layerTreeKey, mergeLayers, removeTree } from "./layer-tree.ts";
import { extractZip, makeWritable, ZipRejectedError } from "./zip-extract.ts";

/** A zip that has been stored and extracted. */
export interface StoredCode {
  /** Hex SHA-256 of the zip: the key everywhere inside lambdalet. */
  sha256: string;
  /** Base64 SHA-256 of the zip, as Lambda's `CodeSha256` shows it. */
  sha256Base64: string;
  /** Size of the zip in bytes. */
  size: number;
  /** The read-only folder holding the extracted code. */
  dir: string;
}

/** Computes the hex and base64 SHA-256 of some bytes. */
export function sha256Of(bytes: Uint8Array): { hex: string; base64: string } {
  const digest = new Bun.CryptoHasher("sha256").update(bytes).digest();
  return { hex: digest.toString("hex"), base64: digest.toString("base64") };
}

/** Converts a hex SHA-256 to Lambda's base64 form. */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64");
}

/** The folder under the code root that holds the merged trees of layers (one per ordered list of layers). */
export const LAYER_TREES = "layer-trees";

/** Options of {@linkcode CodeStore}. */
export interface CodeStoreOptions {
  /**
   * Collect code nothing uses (see {@linkcode CodeCollector}): at start, soon after each released hold or
   * {@linkcode CodeStore.collectSoon}, and every `sweepIntervalMs`. @default false
   */
  collect?: boolean;
  /** Milliseconds between sweeps of the whole store when collecting. @default 3_600_000 */
  sweepIntervalMs?: number;
}

/**
 * Keeps code zips in the database and their extracted folders under `root`. Code is kept while a function version
 * or a returnable deployment state names it, or something holds it: a running worker ({@linkcode CodeStore.hold})
 * or a request between upload and save ({@linkcode CodeStore.lease}).
 */
export class CodeStore {
  readonly #root: string;
  readonly #blobs: CodeBlobs;
  readonly #extracting = new Map<string, Promise<string>>();
  readonly #present = new Set<string>();
  readonly #merging = new Map<string, Promise<string>>();
  readonly #sizes = new Map<string, number>();
  readonly #holds: CodeHolds;
  readonly #collector: CodeCollector | null;

  constructor(root: string, blobs: CodeBlobs, options: CodeStoreOptions = {}) {
    this.#root = root;
    this.#blobs = blobs;
    mkdirSync(root, { recursive: true, mode: 0o711 });
    this.#holds = new CodeHolds(() => this.collectSoon());
    this.#collector = options.collect
      ? new CodeCollector(root, blobs, this.#holds, {
        sweepIntervalMs: options.sweepIntervalMs,
        treesRoot: join(root, LAYER_TREES),
        onDiscard: (sha256) => {
          this.#present.delete(this.dirFor(sha256));
          this.#sizes.delete(sha256);
        },
      })
      : null;
    this.collectSoon(); // what older agents and crashes left
  }

  /**
   * Validates and extracts `zip`, then stores it; throws {@linkcode ZipRejectedError} and writes nothing if bad.
   * The code is held by `lease` (taken before extraction) until the caller has saved what references it; without
   * one, it may be collected as soon as this returns.
   */
  async add(zip: Uint8Array, lease?: CodeLease): Promise<StoredCode> {
    const { hex, base64 } = sha256Of(zip);
    lease?.hold(hex);
    const release = this.#holds.hold(hex); // while extracting, lease or not
    try {
      const dir = await this.#extract(hex, zip);
      this.#blobs.put(hex, zip);
      return { sha256: hex, sha256Base64: base64, size: zip.byteLength, dir };
    } finally {
      release();
    }
  }

  /** A new lease: hold code with it from upload until it is saved, then release it (in a `finally`). */
  lease(): CodeLease {
    return this.#holds.lease();
  }

  /** Holds the code of `sha256` (a worker running it) until the returned function is called. */
  hold(sha256: string): () => void {
    return this.#holds.hold(sha256);
  }

  /** Asks for a collection of unused code soon (after changes that may drop a reference); nothing when not collecting. */
  collectSoon(): void {
    this.#collector?.collectSoon();
  }

  /** Collects unused code now; resolves once its folders are deleted. */
  async collect(): Promise<CollectSummary> {
    return this.#collector ? await this.#collector.collect() : { rows: 0, folders: 0 };
  }

  /** Stops collecting (call before the database closes). */
  close(): void {
    this.#collector?.close();
  }

  /** The extracted folder for `sha256`, extracting it again from the database if it went missing. */
  async ensure(sha256: string): Promise<string> {
    const dir = this.dirFor(sha256);
    if (this.#present.has(dir)) return dir;
    if (existsSync(dir)) {
      this.#present.add(dir);
      return dir;
    }
    const zip = this.#blobs.get(sha256);
    if (!zip) throw new ZipRejectedError(`No code stored with SHA-256 ${sha256}`);
    return await this.#extract(sha256, zip);
  }

  /**
   * The folder a worker sees at /opt for the layers `sha256s` (in order; each extracted again if it went missing): no
   * folder for no layers, the extracted layer itself for one, else their merged tree under `<root>/layer-trees`, named
   * by {@linkcode layerTreeKey} and built once. Hold the layers and the key while a worker uses it.
   */
  async layerTree(sha256s: readonly string[]): Promise<string | null> {
    if (sha256s.length === 0) return null;
    const dirs: string[] = [];
    for (const sha256 of sha256s) dirs.push(await this.ensure(sha256));
    if (dirs.length === 1) return dirs[0]!;
    const key = layerTreeKey(sha256s);
    const dir = join(this.#root, LAYER_TREES, key);
    if (existsSync(dir)) return dir;
    const running = this.#merging.get(key);
    if (running) return await running;
    const work = Promise.resolve().then(() => mergeOnce(dirs, dir)).finally(() => this.#merging.delete(key));
    this.#merging.set(key, work);
    return await work;
  }

  /** The unzipped size of the code with `sha256` (the sum of its extracted files), extracting it if needed. */
  async unzippedSize(sha256: string): Promise<number> {
    const known = this.#sizes.get(sha256);
    if (known !== undefined) return known;
    const size = folderSize(await this.ensure(sha256));
    this.#sizes.set(sha256, size);
    return size;
  }

  /** Where the code with `sha256` is (or would be) extracted. */
  dirFor(sha256: string): string {
    return join(this.#root, sha256);
  }

  #extract(sha256: string, zip: Uint8Array): Promise<string> {
    const dir = this.dirFor(sha256);
    if (existsSync(dir)) return Promise.resolve(dir);
    const running = this.#extracting.get(sha256);
    if (running) return running;
    const work = this.#extractOnce(dir, zip).finally(() => this.#extracting.delete(sha256));
    this.#extracting.set(sha256, work);
    return work;
  }

  async #extractOnce(dir: string, zip: Uint8Array): Promise<string> {
    const temp = `${dir}.tmp-${process.pid}-${crypto.randomUUID()}`;
    try {
      await extractZip(zip, temp);
      renameSync(temp, dir);
      return dir;
    } catch (error) {
      if (existsSync(temp)) {
        makeWritable(temp);
        rmSync(temp, { recursive: true, force: true });
      }
      throw error;
    }
  }
}

/** Builds the merged tree `dir` through a temp folder renamed into place, so that a tree is whole or absent. */
function mergeOnce(layers: readonly string[], dir: string): string {
  mkdirSync(dirname(dir), { recursive: true, mode: 0o711 }); // made with the first tree
  const temp = `${dir}.tmp-${process.pid}-${crypto.randomUUID()}`;
  try {
    mergeLayers(layers, temp);
    renameSync(temp, dir);
    return dir;
  } catch (error) {
    if (existsSync(temp)) removeTree(temp);
    throw error;
  }
}
