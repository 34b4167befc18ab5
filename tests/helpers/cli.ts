/** @module Runs the lambdalet CLI as a real process and captures what it prints. */
import { SOURCE_COMMAND } from "./agent-process.ts";
import { type ProcessResult, runProcess } from "./process.ts";

/** What a CLI run printed and how it exited. */
export type CliResult = ProcessResult;

/** Runs `lambdalet ...args` (from source unless `command` is given) in `cwd`. */
export function runCli(
  args: string[],
  options: { command?: readonly string[]; cwd?: string } = {},
): Promise<CliResult> {
  return runProcess([...(options.command ?? SOURCE_COMMAND), ...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...process.env, NO_COLOR: "1" },
  });
}
