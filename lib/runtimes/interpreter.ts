/** @module Finds an interpreter's real executable and version by asking it, once. */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import type { RuntimeFamily } from "../config/mod.ts";

/** An interpreter as found on this host. */
export interface Interpreter {
  /** The program as configured (`python3`, `/usr/bin/node`). */
  program: string;
  /** The real executable, with shims and symlinks resolved: what workers run. */
  path: string;
  /** Its version, such as `3.11.7` or `v20.20.2`. */
  version: string;
}

const PROBES: Partial<Record<RuntimeFamily, string[]>> = {
  nodejs: ["-e", "console.log(process.execPath); console.log(process.version)"],
  python: ["-c", "import sys; print(sys.executable); print(sys.version.split()[0])"],
};

/**
 * Finds `program` (a name on PATH or an absolute path) and asks it where its real executable is, so that a shim
 * (pyenv, nvm, asdf) costs nothing per worker and works inside a container. Null when it cannot be run.
 */
export async function findInterpreter(family: RuntimeFamily, program: string): Promise<Interpreter | null> {
  const found = isAbsolute(program) ? program : Bun.which(program);
  if (!found) return null;
  if (family === "java") return findJava(program, found);
  const probe = PROBES[family];
  if (!probe) return null;
  try {
    const proc = Bun.spawn({ cmd: [found, ...probe], stdout: "pipe", stderr: "ignore", stdin: "ignore" });
    const [text, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    const [path, version] = text.trim().split("\n");
    if (code !== 0 || !path || !version) return null;
    return { program, path, version };
  } catch {
    return null;
  }
}

/**
 * A JVM: its real `java` and version from the `release` file of the JDK it lies in (no JVM started), else by asking it
 * (`-XshowSettings:properties`: `java.home`, `java.version`), for wrappers outside a JDK.
 */
async function findJava(program: string, found: string): Promise<Interpreter | null> {
  try {
    const real = realpathSync(found);
    const release = join(dirname(dirname(real)), "release");
    const version = existsSync(release)
      ? /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(release, "utf8"))?.[1]
      : undefined;
    if (basename(real) === "java" && version) return { program, path: real, version };
    const proc = Bun.spawn({
      cmd: [found, "-XshowSettings:properties", "-version"],
      stdout: "ignore",
      stderr: "pipe",
      stdin: "ignore",
    });
    const [text, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    const home = /^\s*java\.home = (.+)$/m.exec(text)?.[1];
    const asked = /^\s*java\.version = (.+)$/m.exec(text)?.[1];
    if (code !== 0 || !home || !asked) return null;
    return { program, path: join(home.trim(), "bin", "java"), version: asked.trim() };
  } catch {
    return null;
  }
}
