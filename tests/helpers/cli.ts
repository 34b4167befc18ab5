/** @module Runs the lambdalet CLI as a real process and captures what it prints. */
import { SOURCE_COMMAND } from "./agent-process.ts";

/** What a CLI run printed and how it exited. */
export interface CliResult {
  /** The exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs `lambdalet ...args` (from source unless `command` is given) in `cwd`. */
export async function runCli(
  args: string[],
  options: { command?: readonly string[]; cwd?: string } = {},
): Promise<CliResult> {
  const proc = Bun.spawn({
    cmd: [...(options.command ?? SOURCE_COMMAND), ...args],
    cwd: options.cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}
