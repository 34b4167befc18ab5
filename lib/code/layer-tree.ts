/** @module Merges extracted layers, in order, into one read-only tree of hard links: what a worker sees at /opt. */
import {
  chmodSync,
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  type Stats,
  statSync,
  symlinkSync,
} from "node:fs";
import { join } from "node:path";
import { makeWritable } from "./zip-extract.ts";

/** The name of the merged tree of an ordered list of layer zips: the SHA-256 of their hex SHA-256s, in order. */
export function layerTreeKey(sha256s: readonly string[]): string {
  return new Bun.CryptoHasher("sha256").update(sha256s.join("\n")).digest("hex");
}

/**
 * Builds `dest` (created, must not exist yet) from the extracted folders `layers`, in order: folders merge, and a
 * file of a later layer replaces whatever an earlier one had at its path, as Lambda's extraction into /opt does.
 * Files are hard links to the extracted ones (copies where the file system refuses links), so a tree costs folder
 * entries only; folders end 0555.
 */
export function mergeLayers(layers: readonly string[], dest: string): void {
  mkdirSync(dest, { mode: 0o700 });
  for (const layer of layers) mergeInto(layer, dest);
  seal(dest);
}

function mergeInto(source: string, target: string): void {
  for (const item of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, item.name);
    const to = join(target, item.name);
    const existing = lstatOrNull(to);
    if (item.isDirectory()) {
      if (existing && !existing.isDirectory()) rmSync(to, { force: true });
      if (!existing?.isDirectory()) mkdirSync(to, { mode: 0o700 });
      mergeInto(from, to);
      continue;
    }
    if (existing?.isDirectory()) rmSync(to, { recursive: true, force: true }); // folders are 0700 while building
    else if (existing) rmSync(to, { force: true });
    if (item.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else linkOrCopy(from, to);
  }
}

function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    // another file system, or links refused (fs.protected_hardlinks for a file the agent does not own)
    copyFileSync(from, to);
    chmodSync(to, statSync(from).mode & 0o555);
  }
}

function seal(dir: string): void {
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    if (item.isDirectory()) seal(join(dir, item.name));
  }
  chmodSync(dir, 0o555);
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** The sum of the sizes of the regular files under `dir` (symlinks are not followed): its unzipped size. */
export function folderSize(dir: string): number {
  let total = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) total += folderSize(path);
    else if (item.isFile()) total += lstatSync(path).size;
  }
  return total;
}

/** Removes a half-built tree (its folders may already be read-only). */
export function removeTree(dir: string): void {
  makeWritable(dir);
  rmSync(dir, { recursive: true, force: true });
}
