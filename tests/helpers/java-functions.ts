/** @module Java handlers for the tests: compiled by the host's JDK against the runtime's Lambda interfaces, as zip entries. */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { buildZip, type ZipEntry } from "../../lib/code/mod.ts";
import { REPO_ROOT, tempDir } from "./agent-process.ts";

/** The host's `javac`, or null when no JDK is installed (the Java tests are skipped, saying so). */
export const JAVAC: string | null = Bun.which("javac");

/** The Lambda interfaces the runtime provides (aws-lambda-java-core's), as sources handlers compile against. */
const CORE_SOURCES = join(REPO_ROOT, "runtimes", "java");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Options of {@linkcode compileJava}. */
export interface CompileJavaOptions {
  /** Put the compiled Lambda interfaces in the zip too, as `lib/<name>` (a function bringing aws-lambda-java-core). */
  coreJar?: string;
}

/**
 * Compiles Java sources (path → text, e.g. `example/Hello.java`) for Java 11 and returns the zip entries of a
 * Lambda deployment package: the classes at its root, and optionally the Lambda interfaces as a jar under `lib/`.
 */
export function compileJava(
  sources: Record<string, string>,
  options: CompileJavaOptions = {},
): Record<string, ZipEntry> {
  if (!JAVAC) throw new Error("javac is not installed");
  const dir = tempDir("lambdalet-java-");
  try {
    const src = join(dir, "src");
    const out = join(dir, "classes");
    for (const [path, text] of Object.entries(sources)) {
      mkdirSync(dirname(join(src, path)), { recursive: true });
      writeFileSync(join(src, path), text);
    }
    const core = filesUnder(join(CORE_SOURCES, "com"));
    const cmd = [JAVAC, "--release", "11", "-nowarn", "-d", out, ...core, ...filesUnder(src)];
    const proc = Bun.spawnSync({ cmd, stdout: "pipe", stderr: "pipe" });
    if (proc.exitCode !== 0) throw new Error(`javac failed: ${proc.stderr.toString()}`);
    const entries: Record<string, ZipEntry> = {};
    const coreClasses: Record<string, ZipEntry> = {};
    for (const file of filesUnder(out)) {
      const name = relative(out, file);
      (name.startsWith("com/amazonaws/") ? coreClasses : entries)[name] = readFileSync(file);
    }
    if (options.coreJar) entries[`lib/${options.coreJar}`] = buildZip(coreClasses);
    return entries;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
