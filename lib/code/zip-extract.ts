/** @module Extracts a function's zip into a folder, refusing any entry that would land outside it. */
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type yauzl from "yauzl";

let yauzlModule: Promise<typeof yauzl> | null = null;

/** yauzl, loaded at the first extraction: an agent that only runs code it has extracted never evaluates it. */
function loadYauzl(): Promise<typeof yauzl> {
  return yauzlModule ??= import("yauzl").then((module) => module.default);
}

/** Lambda's limit on the unzipped size of a function's code. */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/** Thrown when a zip cannot be read or would write outside its folder. */
export class ZipRejectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ZipRejectedError";
  }
}

/** What an extraction wrote. */
export interface ExtractSummary {
  /** Regular files written. */
  files: number;
  /** Sum of the uncompressed sizes. */
  bytes: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

/**
 * Extracts `zip` into `dest` (created, must not exist yet), leaving files read-only (0444, or 0555 when
 * the zip marks them executable) and folders 0555. Rejects absolute paths, `..`, symlinks that point
 * out of `dest`, duplicates and more than {@linkcode MAX_UNZIPPED_BYTES}.
 */
export async function extractZip(zip: Uint8Array, dest: string): Promise<ExtractSummary> {
  mkdirSync(dest, { recursive: false, mode: 0o700 });
  const root = realpathSync(dest);
  const zipfile = await openZip(zip);
  const summary: ExtractSummary = { files: 0, bytes: 0 };
  const dirs = new Set<string>([root]);
  const symlinks: string[] = [];
  try {
    for await (const entry of entries(zipfile)) {
      const target = resolve(root, entry.fileName);
      if (!isInside(root, target)) {
        throw new ZipRejectedError(`Zip entry '${entry.fileName}' escapes its folder`);
      }
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      const kind = mode & S_IFMT;
      if (entry.fileName.endsWith("/") || kind === S_IFDIR) {
        makeDirs(root, target, dirs);
        continue;
      }
      summary.bytes += entry.uncompressedSize;
      if (summary.bytes > MAX_UNZIPPED_BYTES) {
        throw new ZipRejectedError(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
      }
      makeDirs(root, dirname(target), dirs);
      if (exists(target)) throw new ZipRejectedError(`Zip entry '${entry.fileName}' appears twice`);
      const content = await readEntry(zipfile, entry);
      if (kind === S_IFLNK) {
        const link = new TextDecoder().decode(content);
        if (isAbsolute(link) || !isInside(root, resolve(dirname(target), link))) {
          throw new ZipRejectedError(
            `Zip entry '${entry.fileName}' is a symlink out of its folder ('${link}')`,
          );
        }
        symlinkSync(link, target);
        symlinks.push(target);
        continue;
      }
      writeFileSync(target, content, { mode: 0o600, flag: "wx" });
      chmodSync(target, mode & 0o111 ? 0o555 : 0o444);
      summary.files++;
    }
    checkSymlinks(root, symlinks);
  } finally {
    zipfile.close();
  }
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) chmodSync(dir, 0o555);
  return summary;
}

/** Makes `dir` and its parents under `root`, refusing to pass through a symlink. */
function makeDirs(root: string, dir: string, made: Set<string>): void {
  if (made.has(dir)) return;
  const parts = relative(root, dir).split(sep).filter(Boolean);
  let current = root;
  for (const part of parts) {
    current = join(current, part);
    if (made.has(current)) continue;
    if (exists(current)) {
      if (!lstatSync(current).isDirectory()) {
        throw new ZipRejectedError(
          `Zip entry path '${relative(root, current)}' is used both as a file and a folder`,
        );
      }
    } else {
      mkdirSync(current, { mode: 0o700 });
    }
    made.add(current);
  }
}

/** Every symlink, followed through any chain, must still land inside the folder. */
function checkSymlinks(root: string, symlinks: string[]): void {
  for (const link of symlinks) {
    let real: string;
    try {
      real = realpathSync(link);
    } catch {
      continue; // dangling inside the folder: harmless
    }
    if (!isInside(root, real)) {
      throw new ZipRejectedError(`Zip entry '${relative(root, link)}' is a symlink out of its folder`);
    }
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

async function openZip(zip: Uint8Array): Promise<yauzl.ZipFile> {
  const { fromBuffer } = await loadYauzl();
  return await new Promise((resolvePromise, reject) => {
    fromBuffer(
      Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength),
      { lazyEntries: true, decodeStrings: true, validateEntrySizes: true },
      (error, zipfile) => {
        if (error || !zipfile) {
          reject(new ZipRejectedError(`Could not unzip uploaded file: ${error?.message}`));
        } else resolvePromise(zipfile);
      },
    );
  });
}

async function* entries(zipfile: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  while (true) {
    const entry = await new Promise<yauzl.Entry | null>((resolvePromise, reject) => {
      const onEntry = (value: yauzl.Entry) => done(value);
      const onEnd = () => done(null);
      const onError = (error: Error) => {
        cleanup();
        reject(new ZipRejectedError(`Could not unzip uploaded file: ${error.message}`, { cause: error }));
      };
      const cleanup = () => {
        zipfile.off("entry", onEntry);
        zipfile.off("end", onEnd);
        zipfile.off("error", onError);
      };
      const done = (value: yauzl.Entry | null) => {
        cleanup();
        resolvePromise(value);
      };
      zipfile.on("entry", onEntry);
      zipfile.on("end", onEnd);
      zipfile.on("error", onError);
      zipfile.readEntry();
    });
    if (!entry) return;
    yield entry;
  }
}

function readEntry(zipfile: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    zipfile.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        reject(
          new ZipRejectedError(`Could not unzip '${entry.fileName}': ${error?.message}`, { cause: error }),
        );
        return;
      }
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on(
        "error",
        (cause) => reject(new ZipRejectedError(`Could not unzip '${entry.fileName}'`, { cause })),
      );
      stream.on("end", () => resolvePromise(Buffer.concat(chunks)));
    });
  });
}

/** Removes a folder this module wrote, read-only modes included. */
export function makeWritable(dir: string): void {
  chmodSync(dir, 0o700);
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    if (item.isDirectory()) makeWritable(join(dir, item.name));
  }
}
