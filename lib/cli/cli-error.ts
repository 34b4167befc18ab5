/** @module The CLI's error with an exit code, apart from the HTTP client so that `serve` loads none of it. */

/** An error the CLI reports on stderr before exiting with {@linkcode CliError.exitCode}. */
export class CliError extends Error {
  /** 252 for bad arguments, 254 for service errors, 255 for connection failures, as the AWS CLI. */
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** Wraps a command's `run` so that a {@linkcode CliError} prints its message and exits with its code. */
export function exitOnCliError<A extends unknown[]>(
  run: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await run(...args);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      console.error(`\n${error.message}`);
      process.exit(error.exitCode);
    }
  };
}
