/** @module How to run lambdalet itself: the compiled binary, or Bun with the source entry point. */

/** Whether this process is the compiled single-file binary. */
export function isCompiledBinary(): boolean {
  return Bun.main.startsWith("/$bunfs/") || Bun.main.startsWith("B:/~BUN/");
}

/** The command that starts this same lambdalet (append its arguments). */
export function selfCommand(): string[] {
  return isCompiledBinary() ? [process.execPath] : [process.execPath, Bun.main];
}
