/** @module The Java runtime: its sources (embedded), compiled once per data dir by the host's JDK, and its JVM flags. */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import bootstrapJava from "../../runtimes/java/lambdalet/runtime/Bootstrap.java" with { type: "text" };
import failureJava from "../../runtimes/java/lambdalet/runtime/Failure.java" with { type: "text" };
import handlerJava from "../../runtimes/java/lambdalet/runtime/Handler.java" with { type: "text" };
import invocationJava from "../../runtimes/java/lambdalet/runtime/Invocation.java" with { type: "text" };
import jsonJava from "../../runtimes/java/lambdalet/runtime/Json.java" with { type: "text" };
import mapperJava from "../../runtimes/java/lambdalet/runtime/Mapper.java" with { type: "text" };
import runtimeClientJava from "../../runtimes/java/lambdalet/runtime/RuntimeClient.java" with {
  type: "text",
};
import clientJava from "../../runtimes/java/com/amazonaws/services/lambda/runtime/Client.java" with {
  type: "text",
};
import clientContextJava from "../../runtimes/java/com/amazonaws/services/lambda/runtime/ClientContext.java" with {
  type: "text",
};
import cognitoJava from "../../runtimes/java/com/amazonaws/services/lambda/runtime/CognitoIdentity.java" with {
  type: "text",
};
import contextJava from "../../runtimes/java/com/amazonaws/services/lambda/runtime/Context.java" with {
  type: "text",
};
import loggerJava from "../../runtimes/java/com/amazonaws/services/lambda/runtime/LambdaLogger.java" with {
  type: "text",
};
import handlerIfaceJava from "../../runtimes/java/com/amazonaws/services/lambda/runtime/RequestHandler.java" with {
  type: "text",
};
import streamJava from "../../runtimes/java/com/amazonaws/services/lambda/runtime/RequestStreamHandler.java" with {
  type: "text",
};

const RUNTIME_PACKAGE = "java/src/lambdalet/runtime";
const CORE_PACKAGE = "java/src/com/amazonaws/services/lambda/runtime";

/** The Java runtime's sources by their path under the runtimes folder. */
export const JAVA_RUNTIME_FILES: Readonly<Record<string, string>> = {
  [`${RUNTIME_PACKAGE}/Bootstrap.java`]: bootstrapJava,
  [`${RUNTIME_PACKAGE}/Failure.java`]: failureJava,
  [`${RUNTIME_PACKAGE}/Handler.java`]: handlerJava,
  [`${RUNTIME_PACKAGE}/Invocation.java`]: invocationJava,
  [`${RUNTIME_PACKAGE}/Json.java`]: jsonJava,
  [`${RUNTIME_PACKAGE}/Mapper.java`]: mapperJava,
  [`${RUNTIME_PACKAGE}/RuntimeClient.java`]: runtimeClientJava,
  // the Lambda interfaces (aws-lambda-java-core's), for functions that do not bring their own
  [`${CORE_PACKAGE}/Client.java`]: clientJava,
  [`${CORE_PACKAGE}/ClientContext.java`]: clientContextJava,
  [`${CORE_PACKAGE}/CognitoIdentity.java`]: cognitoJava,
  [`${CORE_PACKAGE}/Context.java`]: contextJava,
  [`${CORE_PACKAGE}/LambdaLogger.java`]: loggerJava,
  [`${CORE_PACKAGE}/RequestHandler.java`]: handlerIfaceJava,
  [`${CORE_PACKAGE}/RequestStreamHandler.java`]: streamJava,
};

/** The class workers run. */
export const JAVA_MAIN_CLASS = "lambdalet.runtime.Bootstrap";

/** The compiled runtime under the runtimes folder: the bootstrap's classpath and the provided Lambda interfaces. */
export interface JavaBootstrap {
  /** The folder of the bootstrap's classes (the JVM's classpath). */
  classes: string;
  /** The folder of the Lambda interfaces, last on the function's class path. */
  core: string;
}

/** Thrown when the host's JDK cannot compile the runtime (no javac, no jdk.compiler module). */
export class JavaBootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JavaBootstrapError";
  }
}

/** Names the build by the sources: a new lambdalet with other sources compiles again, once. */
function sourceKey(): string {
  const hash = createHash("sha256");
  for (const [name, text] of Object.entries(JAVA_RUNTIME_FILES).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`${name}\0${text}\0`);
  }
  return hash.digest("hex").slice(0, 16);
}

/** The compiler of the JDK that `java` belongs to: its `javac`, else the jdk.compiler module run by `java` itself. */
function compilerOf(java: string): string[] {
  const javac = join(dirname(java), "javac");
  return existsSync(javac) ? [javac] : [java, "-m", "jdk.compiler/com.sun.tools.javac.Main"];
}

/** Folders 0755 and files 0644: workers of other uids read the classes. */
function openTree(path: string): void {
  if (statSync(path).isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) openTree(join(path, name));
    return;
  }
  chmodSync(path, 0o644);
}

/**
 * Compiles the runtime's sources (written under `runtimeDir/java/src` at the agent's start) with the JDK of `java`,
 * for Java 11 and later, into `runtimeDir/java/build-<hash of the sources>`; a build already there is reused. The
 * classes are laid out in a temporary folder and renamed into place.
 */
export async function compileJavaBootstrap(runtimeDir: string, java: string): Promise<JavaBootstrap> {
  const javaDir = join(runtimeDir, "java");
  const name = `build-${sourceKey()}`;
  const target = join(javaDir, name);
  const result = { classes: join(target, "bootstrap"), core: join(target, "core") };
  if (existsSync(join(result.classes, ...JAVA_MAIN_CLASS.split(".")) + ".class")) return result;
  const temp = `${target}.tmp-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const compiled = join(temp, "bootstrap");
  mkdirSync(compiled, { recursive: true, mode: 0o755 });
  try {
    const sources = Object.keys(JAVA_RUNTIME_FILES).map((file) => join(runtimeDir, file));
    const proc = Bun.spawn({
      cmd: [
        ...compilerOf(java),
        "--release",
        "11",
        "-encoding",
        "UTF-8",
        "-nowarn",
        "-d",
        compiled,
        ...sources,
      ],
      stdout: "pipe",
      stderr: "pipe",
      stdin: "ignore",
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    if (code !== 0) {
      throw new JavaBootstrapError(
        `Cannot compile the Java runtime with ${compilerOf(java).join(" ")} (exit ${code}): ${
          (err || out).trim().split("\n").slice(0, 5).join(" ")
        }. Install a JDK (Debian: openjdk-17-jdk-headless), not only a JRE`,
      );
    }
    mkdirSync(join(temp, "core"), { mode: 0o755 });
    renameSync(join(compiled, "com"), join(temp, "core", "com"));
    openTree(temp);
    try {
      renameSync(temp, target);
    } catch (error) {
      // another agent on the same data dir got there first: its build is the same
      if (!existsSync(target)) throw error;
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  for (const old of readdirSync(javaDir)) {
    if (old.startsWith("build-") && old !== name && !old.includes(".tmp-")) {
      rmSync(join(javaDir, old), { recursive: true, force: true });
    }
  }
  return result;
}

/** Options of {@linkcode jvmFlags}. */
export interface JvmFlagOptions {
  /** The memory the worker may use, in MB: the heap gets 85% of it. */
  memoryMb: number;
  /** The function's `JAVA_TOOL_OPTIONS`: a flag it sets replaces the default of that kind. @default "" */
  toolOptions?: string;
}

/**
 * The JVM flags for small devices: the serial collector, the C1 compiler only, class data sharing when the JDK has
 * its archive, no perf data file, a heap of 85% of the memory. The JVM reads `JAVA_TOOL_OPTIONS` itself but gives the
 * command line precedence, so a default the function sets there is left out here.
 */
export function jvmFlags(options: JvmFlagOptions): string[] {
  const tool = options.toolOptions ?? "";
  const sets = (pattern: RegExp) => pattern.test(tool);
  const heapMb = Math.max(16, Math.floor(options.memoryMb * 0.85));
  return [
    ...(sets(/-XX:[+-]Use\w*GC\b/) ? [] : ["-XX:+UseSerialGC"]),
    ...(sets(/-XX:(TieredStopAtLevel=|[+-]TieredCompilation\b)/) ? [] : ["-XX:TieredStopAtLevel=1"]),
    ...(sets(/-Xshare:/) ? [] : ["-Xshare:auto"]),
    ...(sets(/-Xmx|-XX:(MaxHeapSize|MaxRAMPercentage|MaxRAM)=/) ? [] : [`-Xmx${heapMb}m`]),
    ...(sets(/-XX:[+-]UsePerfData\b/) ? [] : ["-XX:-UsePerfData"]),
  ];
}
