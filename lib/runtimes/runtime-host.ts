/** @module The runtimes on this host: bootstraps written out once, interpreters found once, launch commands. */
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { RUNTIME_FAMILIES, type RuntimeFamily, versionedPrograms } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { EMBEDDED_RUNTIME_FILES } from "./embedded.ts";
import type { Interpreter } from "./interpreter.ts";
import {
  FAMILY_NAMES,
  familyWarnings,
  hostVersions,
  resolveRuntimes,
  type RuntimeResolution,
} from "./runtime-versions.ts";
import { GREENGRASS_NODE_MODULES } from "./greengrass.ts";
import {
  compileJavaBootstrap,
  JAVA_MAIN_CLASS,
  type JavaBootstrap,
  JavaBootstrapError,
  jvmFlags,
} from "./java-bootstrap.ts";
import { nodeSdkDir } from "./sdk-pack.ts";
import { selfCommand } from "./self-command.ts";

/** How to start a worker for one runtime. */
export interface LaunchCommand {
  /** Executable and arguments. */
  cmd: string[];
  /** Folders to put first on the worker's PATH (the interpreter's). */
  pathDirs: string[];
  /** Variables the runtime needs besides Lambda's. */
  env: Record<string, string>;
  /** Variables the runtime sets that a function may override, as on Lambda (`NODE_PATH`). @default {} */
  defaults?: Record<string, string>;
  /** Host folders a container must show at the same path (an interpreter's install prefix outside /usr). */
  hostPaths: string[];
}

/** The install prefix of an executable (`/opt/node` for `/opt/node/bin/node`), unless the system folders hold it. */
function installPrefix(executable: string): string[] {
  const prefix = dirname(dirname(executable));
  return prefix === "/" || prefix === "/usr" || prefix.startsWith("/usr/") ? [] : [prefix];
}

/** Thrown when a function's code cannot be started (no bootstrap, not executable): a function error, not a service error. */
export class EntrypointError extends Error {
  /** Lambda's error type for it. */
  readonly errorType = "Runtime.InvalidEntrypoint";
  constructor(message: string) {
    super(message);
    this.name = "EntrypointError";
  }
}

/** What {@linkcode RuntimeHost.launch} needs to know of the function besides its runtime, code and layers. */
export interface LaunchOptions {
  /** The memory a worker may use, in MB (the JVM's heap is sized from it). @default 128 */
  memoryMb?: number;
  /** The function's environment variables (`JAVA_TOOL_OPTIONS` replaces default JVM flags). @default {} */
  environment?: Readonly<Record<string, string>>;
}

/** Options of {@linkcode RuntimeHost.install}. */
export interface RuntimeHostOptions {
  /** Refuse functions whose runtime version this host cannot run exactly. @default false */
  strictVersions?: boolean;
  /**
   * The interpreters, already being resolved from the same `programs` (`resolveRuntimes` started before the agent's
   * modules load, so that asking the interpreters overlaps loading them). @default resolved by `install`
   */
  resolutions?: Promise<ReadonlyMap<string, RuntimeResolution>>;
}

/** Knows where each runtime's bootstrap and interpreter are, and builds the command that starts a worker. */
export class RuntimeHost {
  /** The folder holding the bootstraps (`LAMBDA_RUNTIME_DIR` of NoContainer workers). */
  readonly runtimeDir: string;
  /** Whether functions whose runtime version this host cannot run exactly are refused. */
  readonly strictVersions: boolean;
  readonly #resolutions: ReadonlyMap<string, RuntimeResolution>;
  #javaBootstrap: Promise<JavaBootstrap> | null = null;

  constructor(
    runtimeDir: string,
    resolutions: ReadonlyMap<string, RuntimeResolution>,
    options: RuntimeHostOptions = {},
  ) {
    this.runtimeDir = runtimeDir;
    this.#resolutions = resolutions;
    this.strictVersions = options.strictVersions ?? false;
  }

  /**
   * Writes the embedded bootstraps under `runtimeDir` and resolves every runtime id's interpreter once;
   * `programs` maps runtime ids to interpreter programs explicitly (the agent config's `runtimes`).
   */
  static async install(
    runtimeDir: string,
    programs: Readonly<Record<string, string>>,
    options: RuntimeHostOptions = {},
  ): Promise<RuntimeHost> {
    for (const [name, text] of Object.entries(EMBEDDED_RUNTIME_FILES)) {
      writeIfChanged(join(runtimeDir, name), text);
    }
    return new RuntimeHost(runtimeDir, await (options.resolutions ?? resolveRuntimes(programs)), options);
  }

  /**
   * The Node.js SDK pack in a worker, looked up at each start so that a pack installed while the agent runs serves
   * the next workers. The pack lives under `runtimeDir` (containers see it under /var/runtime).
   */
  #nodeSdk(runtime: string, optDir: string): string {
    return nodeSdkSearch(
      layerNodePaths(runtime, optDir),
      nodeSdkDir(dirname(this.runtimeDir)),
      join(this.runtimeDir, GREENGRASS_NODE_MODULES),
    );
  }

  /** The Java runtime's classes, compiled once by the first Java worker's JDK (a failure is tried again next time). */
  async #compileJava(runtime: string, java: string): Promise<JavaBootstrap> {
    this.#javaBootstrap ??= compileJavaBootstrap(this.runtimeDir, java);
    try {
      return await this.#javaBootstrap;
    } catch (error) {
      this.#javaBootstrap = null;
      if (!(error instanceof JavaBootstrapError)) throw error;
      throw new LambdaError(
        "InvalidRuntimeException",
        `The runtime ${runtime} cannot run here: ${error.message}`,
      );
    }
  }

  /** The interpreter of `runtime` (resolved at start), or null when it needs none or is missing. */
  interpreter(runtime: string): Promise<Interpreter | null> {
    return Promise.resolve(this.#resolutions.get(runtime)?.interpreter ?? null);
  }

  /** How `runtime` got its interpreter; undefined for runtimes that need none (bun, provided). */
  resolution(runtime: string): RuntimeResolution | undefined {
    return this.#resolutions.get(runtime);
  }

  /** The log lines saying which runtime ids run on another version than they ask for: one per family. */
  warnings(): string[] {
    return familyWarnings(this.#resolutions.values());
  }

  /**
   * Why a function of `runtime` is refused (with `strictVersions`, when the host cannot run its version exactly),
   * naming what the host has and how to add the version; null when it is accepted.
   */
  refusal(runtime: string): string | null {
    const item = this.#resolutions.get(runtime);
    const family = RUNTIME_FAMILIES[runtime];
    if (!this.strictVersions || !item || !family || item.source === "config" || item.matches) return null;
    return `The runtime ${runtime} needs ${
      FAMILY_NAMES[family]
    } ${item.wanted} and this host cannot run it (it has ${
      hostVersions(family, this.#resolutions.values())
    }); the agent runs no other version (strictRuntimeVersions). Install ${
      versionedPrograms(runtime).join(" or ")
    } on PATH, or map ${runtime} to its interpreter in the agent config's "runtimes", then restart the agent`;
  }

  /**
   * The command that starts a worker for `runtime` with code in `codeDir` and its layers in `optDir` (the merged tree's
   * real path: containers show it at /opt, and rewrite the path). Throws `InvalidRuntimeException` when the runtime
   * cannot run on this host, {@linkcode EntrypointError} when the code has no usable bootstrap.
   */
  async launch(
    runtime: string,
    codeDir: string,
    optDir = "/opt",
    options: LaunchOptions = {},
  ): Promise<LaunchCommand> {
    const family: RuntimeFamily | undefined = RUNTIME_FAMILIES[runtime];
    switch (family) {
      case "nodejs":
      case "python": {
        const interpreter = await this.interpreter(runtime);
        if (!interpreter) throw missingInterpreter(runtime, this.#resolutions.get(runtime)?.program ?? "?");
        const bootstrap = family === "nodejs"
          ? [join(this.runtimeDir, "nodejs", "bootstrap.cjs")]
          : ["-u", join(this.runtimeDir, "python", "bootstrap.py")];
        const env: Record<string, string> = family === "python"
          ? { PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1" }
          : {};
        const defaults: Record<string, string> = family === "nodejs"
          ? { NODE_PATH: this.#nodeSdk(runtime, optDir) }
          : { PYTHONPATH: layerPythonPaths(runtime, optDir).join(":") };
        return {
          cmd: [interpreter.path, ...bootstrap],
          pathDirs: [dirname(interpreter.path)],
          env,
          defaults,
          hostPaths: installPrefix(interpreter.path),
        };
      }
      case "java": {
        const interpreter = await this.interpreter(runtime);
        if (!interpreter) throw missingInterpreter(runtime, this.#resolutions.get(runtime)?.program ?? "?");
        const built = await this.#compileJava(runtime, interpreter.path);
        const toolOptions = options.environment?.JAVA_TOOL_OPTIONS ?? "";
        return {
          cmd: [
            interpreter.path,
            ...jvmFlags({ memoryMb: options.memoryMb ?? 128, toolOptions }),
            `-Dlambdalet.core=${built.core}`,
            `-Dlambdalet.opt=${optDir}`,
            "-cp",
            built.classes,
            JAVA_MAIN_CLASS,
          ],
          pathDirs: [dirname(interpreter.path)],
          env: {},
          defaults: { JAVA_HOME: dirname(dirname(interpreter.path)) },
          hostPaths: installPrefix(interpreter.path),
        };
      }
      case "bun":
        return {
          cmd: [...selfCommand(), "__runtime", join(this.runtimeDir, "nodejs", "bootstrap.cjs")],
          pathDirs: [],
          env: {},
          hostPaths: selfCommand().map((part) => dirname(part)),
        };
      case "provided":
        return { cmd: [findBootstrap(codeDir, optDir)], pathDirs: [], env: {}, hostPaths: [] };
      default:
        throw new LambdaError(
          "InvalidRuntimeException",
          `The runtime ${runtime} is not supported by this agent`,
        );
    }
  }
}

/**
 * A worker's NODE_PATH, in Lambda's order: the layers' folders, then the SDK pack when it is installed; last the
 * modules the Greengrass Core SDK requires (`greengrass`), so that a function's own copies win.
 */
function nodeSdkSearch(layers: readonly string[], packDir: string, greengrass: string): string {
  const modules = join(packDir, "node_modules");
  return [...layers, ...(existsSync(modules) ? [modules] : []), greengrass].join(":");
}

/**
 * Where Lambda's Node.js runtimes look for layers' modules, under the layers' folder `optDir` (/opt in a container):
 * `nodejs/node20/node_modules` for `nodejs20.x`, then `nodejs/node_modules`.
 */
export function layerNodePaths(runtime: string, optDir: string): string[] {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  return [
    ...(major ? [join(optDir, "nodejs", `node${major}`, "node_modules")] : []),
    join(optDir, "nodejs", "node_modules"),
  ];
}

/**
 * Where Lambda's Python runtimes look for layers' packages, under `optDir`: `python/lib/python3.12/site-packages` for
 * `python3.12`, then `python`.
 */
export function layerPythonPaths(runtime: string, optDir: string): string[] {
  const version = /^python(\d+\.\d+)$/.exec(runtime)?.[1];
  return [
    ...(version ? [join(optDir, "python", "lib", `python${version}`, "site-packages")] : []),
    join(optDir, "python"),
  ];
}

/** The executable `bootstrap` of a `provided` function: in its code, then in its layers. */
function findBootstrap(codeDir: string, optDir: string): string {
  for (const candidate of [join(codeDir, "bootstrap"), join(optDir, "bootstrap")]) {
    if (!existsSync(candidate) || !statSync(candidate).isFile()) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      throw new EntrypointError(
        `Couldn't find valid bootstrap(s): ${candidate} is not executable (chmod 755 it in the zip)`,
      );
    }
  }
  throw new EntrypointError("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]");
}

function missingInterpreter(runtime: string, program: string): LambdaError {
  return new LambdaError(
    "InvalidRuntimeException",
    `The runtime ${runtime} needs the interpreter '${program}' and it cannot be run on this host: install it, or map ${runtime} to another interpreter in the agent config's "runtimes"`,
  );
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode: 0o644 });
  chmodSync(temp, 0o444);
  renameSync(temp, path);
}
