/** @module Starts a real agent process (from source or a compiled binary) on an ephemeral port. */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerAgent } from "./api-client.ts";

/** The repository root. */
export const REPO_ROOT = join(import.meta.dir, "..", "..");

/** The command that runs lambdalet from source. */
export const SOURCE_COMMAND: readonly string[] = [process.execPath, join(REPO_ROOT, "main.ts")];

/** A running agent process. */
export interface AgentProcess {
  /** The API's base URL. */
  url: string;
  /** The data dir it uses. */
  dataDir: string;
  /** The process. */
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the agent printed so far. */
  output(): string;
  /** Stops it with SIGTERM and waits for its exit code. */
  stop(): Promise<number>;
}

/** Options of {@linkcode startAgentProcess}. */
export interface AgentProcessOptions {
  /** The lambdalet command. @default SOURCE_COMMAND */
  command?: readonly string[];
  /** The data dir. @default a new temporary folder */
  dataDir?: string;
  /** The working directory. @default the data dir's parent */
  cwd?: string;
  /** Extra `serve` flags. @default [] */
  flags?: string[];
  /**
   * The container mode of functions that name none. Tests default to NoContainer (they read host files the
   * workers write); the isolation tests ask for containers explicitly. @default "NoContainer"
   */
  defaultContainerMode?: "GreengrassContainer" | "NoContainer";
  /** Extra environment variables of the agent. @default {} */
  env?: Record<string, string>;
}

/** The folders {@linkcode tempDir} made in this process. */
const madeDirs: string[] = [];

/**
 * Removes every folder {@linkcode tempDir} made so far: at the end of a `bun test` run (its preload) and when a
 * script that made some exits.
 */
export function removeTempDirs(): void {
  for (const dir of madeDirs.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // a folder something still holds (a mount) stays; the others go
    }
  }
}

/**
 * Makes a new temporary folder, traversable by the unprivileged users workers may run as; it is removed with
 * everything in it at the end of the test run, or when the script that made it exits.
 */
export function tempDir(prefix = "lambdalet-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  if (madeDirs.length === 0) process.once("exit", removeTempDirs);
  madeDirs.push(dir);
  return dir;
}

/** Starts `lambdalet serve --port 0` and waits until it prints the address it listens on. */
export async function startAgentProcess(options: AgentProcessOptions = {}): Promise<AgentProcess> {
  const dataDir = options.dataDir ?? join(tempDir(), "data");
  const proc = Bun.spawn({
    cmd: [
      ...(options.command ?? SOURCE_COMMAND),
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--default-container-mode",
      options.defaultContainerMode ?? "NoContainer",
      // tests read the agent's lines as a person would (its default on a pipe is JSON lines)
      ...(options.flags?.includes("--log-format") ? [] : ["--log-format", "text"]),
      ...(options.flags ?? []),
    ],
    cwd: options.cwd ?? join(dataDir, ".."),
    env: { ...process.env, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  void collect(proc.stdout);
  void collect(proc.stderr);
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (!url) {
    url = /listening on (https?:\/\/\S+)/.exec(text)?.[1];
    if (url) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill();
      throw new Error(`The agent did not start:\n${text}`);
    }
    await Bun.sleep(20);
  }
  registerAgent(url, dataDir);
  return {
    url,
    dataDir,
    proc,
    output: () => text,
    async stop() {
      proc.kill("SIGTERM");
      return await proc.exited;
    },
  };
}
