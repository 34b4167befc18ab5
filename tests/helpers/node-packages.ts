/** @module Copies installed npm packages, with their dependencies, into a function zip's node_modules. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { ZipEntry } from "../../lib/code/mod.ts";

/** The files of `names` and of everything they depend on, found in `nodeModules`, as zip entries. */
export function packageFiles(nodeModules: string, names: string[]): Record<string, ZipEntry> {
  const files: Record<string, ZipEntry> = {};
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const dir = join(nodeModules, name);
    if (!existsSync(dir)) throw new Error(`Package ${name} is not installed in ${nodeModules}`);
    addTree(dir, `node_modules/${name}`, files);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    queue.push(...Object.keys(manifest.dependencies ?? {}));
  }
  return files;
}

function addTree(dir: string, prefix: string, files: Record<string, ZipEntry>): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const stat = statSync(path);
    const name = `${prefix}/${relative(dir, path)}`;
    if (stat.isDirectory()) addTree(path, name, files);
    else files[name] = { content: new Uint8Array(readFileSync(path)), mode: stat.mode & 0o777 };
  }
}
