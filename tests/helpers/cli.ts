/** @module Runs the lambdalet CLI as a real process and captures what it prints. */
import { SOURCE_COMMAND } from "./agent-process.ts";
import { agentDataDir } from "./api-client.ts";
import { type ProcessResult, runProcess } from "./process.ts";

/** What a CLI run printed and how it exited. */
export type CliResult = ProcessResult;

/** Runs `lambdalet ...args` (from source unless `command` is given) in `cwd`. */
export function runCli(
  args: string[],
  options: { command?: readonly string[]; cwd?: string } = {},
): Promise<CliResult> {
  // the CLI finds the agent's key in its data dir, as it does on a device
  const endpoint = args[args.indexOf("--endpoint-url") + 1];
  const dataDir = args.includes("--endpoint-url") && endpoint ? agentDataDir(endpoint) : undefined;
  return runProcess([...(options.command ?? SOURCE_COMMAND), ...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...process.env, NO_COLOR: "1", ...(dataDir === undefined ? {} : { LAMBDALET_DATA_DIR: dataDir }) },
  });
}
