/** @module The runtimes on this host: bootstraps written out once, interpreters found once, launch commands. */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { RUNTIME_FAMILIES } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { EMBEDDED_RUNTIME_FILES } from "./embedded.ts";

/** How to start a worker for one runtime. */
export interface LaunchCommand {
  /** Executable and arguments. */
  cmd: string[];
  /** Folders to put first on the worker's PATH (the interpreter's). */
  pathDirs: string[];
}

/** Where interpreters were found, by program name (`node`); null when missing. */
export type Interpreters = Readonly<Record<string, string | null>>;

/** Knows where each runtime's bootstrap and interpreter are, and builds the command that starts a worker. */
export class RuntimeHost {
  /** The folder holding the bootstraps (`LAMBDA_RUNTIME_DIR` of NoContainer workers). */
  readonly runtimeDir: string;
  /** Interpreters found on PATH at start. */
  readonly interpreters: Interpreters;

  constructor(runtimeDir: string, interpreters: Interpreters) {
    this.runtimeDir = runtimeDir;
    this.interpreters = interpreters;
  }

  /** Writes the embedded bootstraps under `runtimeDir` and finds the interpreters on PATH. */
  static install(runtimeDir: string): RuntimeHost {
    for (const [name, text] of Object.entries(EMBEDDED_RUNTIME_FILES)) {
      writeIfChanged(join(runtimeDir, name), text);
    }
    return new RuntimeHost(runtimeDir, { node: findExecutable("node") });
  }

  /** The command that starts a worker for `runtime`; throws `InvalidRuntimeException` when it cannot run here. */
  launch(runtime: string): LaunchCommand {
    const family = RUNTIME_FAMILIES[runtime];
    if (family === "nodejs") {
      const node = this.interpreters.node;
      if (!node) {
        throw new LambdaError(
          "InvalidRuntimeException",
          `The runtime ${runtime} needs 'node' on the agent's PATH and none was found: install Node.js, or pick another runtime`,
        );
      }
      return { cmd: [node, join(this.runtimeDir, "nodejs", "bootstrap.mjs")], pathDirs: [dirname(node)] };
    }
    throw new LambdaError("InvalidRuntimeException", `The runtime ${runtime} is not supported by this agent`);
  }
}

/** Finds `program` on PATH and resolves symlinks, so workers run the real file. */
export function findExecutable(program: string): string | null {
  const found = Bun.which(program);
  return found ? realpathSync(found) : null;
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode: 0o644 });
  chmodSync(temp, 0o444);
  renameSync(temp, path);
}
